package salve.safety_test

import data.salve.fixtures_test as f
import data.salve.safety

gi := 1073741824

memory(from, to, from_bytes, to_bytes) := f.with_({"action": {"params": {
	"container": "podinfo",
	"from": from,
	"to": to,
	"fromBytes": from_bytes,
	"toBytes": to_bytes,
}}})

test_memory_within_bounds if {
	rules := safety.rules with input as f.base
	some r in rules
	r.id == "safety.memory-within-bounds"
	r.effect == "allow"
	r.message == "memory 256Mi → 384Mi within 2x and 8Gi cap"
	f.fired(rules, "safety.blast-radius", "allow")
	not "deny" in {x.effect | some x in rules}
}

test_memory_over_factor_denied if {
	rules := safety.rules with input as memory("256Mi", "1Gi", 256 * f.mi, gi)
	f.fired(rules, "safety.memory-over-factor", "deny")
	not "safety.memory-within-bounds" in f.ids(rules)
}

test_memory_over_cap_denied if {
	rules := safety.rules with input as memory("6Gi", "9Gi", 6 * gi, 9 * gi)
	some r in rules
	r.id == "safety.memory-over-cap"
	contains(r.message, "8Gi cap")
	not "safety.memory-over-factor" in f.ids(rules)
}

test_memory_cap_in_mebibytes if {
	safety.human_bytes(1536 * f.mi) == "1536Mi"
	safety.human_bytes(1000) == "1000"
}

test_memory_not_raise_denied if {
	rules := safety.rules with input as memory("256Mi", "256Mi", 256 * f.mi, 256 * f.mi)
	f.fired(rules, "safety.memory-not-raise", "deny")
}

test_memory_params_missing_denied if {
	inp := json.remove(f.base, ["action/params/toBytes"])
	rules := safety.rules with input as inp
	f.fired(rules, "safety.memory-params", "deny")
	not "safety.memory-within-bounds" in f.ids(rules)
}

test_memory_zero_from_denied if {
	rules := safety.rules with input as memory("0", "1Mi", 0, f.mi)
	f.fired(rules, "safety.memory-params", "deny")
}

test_cpu_within_bounds if {
	rules := safety.rules with input as f.cpu
	some r in rules
	r.id == "safety.cpu-within-bounds"
	r.message == "cpu 500m → 750m within 2x and 4000m cap"
	f.fired(rules, "safety.blast-radius", "allow")
}

cpu(from, to) := object.union(f.cpu, {"action": {"params": {"fromMillis": from, "toMillis": to, "from": sprintf("%dm", [from]), "to": sprintf("%dm", [to])}}})

test_cpu_bounds_denied if {
	f.fired(safety.rules, "safety.cpu-over-factor", "deny") with input as cpu(500, 1500)
	f.fired(safety.rules, "safety.cpu-over-cap", "deny") with input as cpu(3000, 5000)
	f.fired(safety.rules, "safety.cpu-not-raise", "deny") with input as cpu(500, 400)
	f.fired(safety.rules, "safety.cpu-params", "deny") with input as json.remove(f.cpu, ["action/params/fromMillis"])
}

hpa(from, to) := object.union(f.hpa, {"action": {"params": {"from": from, "to": to}}})

test_replicas_within_bounds if {
	rules := safety.rules with input as f.hpa
	some r in rules
	r.id == "safety.replicas-within-bounds"
	r.message == "maxReplicas 4 → 6 within 2x and cap 50"
	f.fired(rules, "safety.blast-radius", "allow")
}

test_replicas_bounds_denied if {
	f.fired(safety.rules, "safety.replicas-over-factor", "deny") with input as hpa(4, 9)
	f.fired(safety.rules, "safety.replicas-over-cap", "deny") with input as hpa(40, 60)
	f.fired(safety.rules, "safety.replicas-not-raise", "deny") with input as hpa(4, 4)
	f.fired(safety.rules, "safety.replicas-params", "deny") with input as hpa("4", 6)
}

test_rollback_allowed if {
	rules := safety.rules with input as f.rollback
	f.fired(rules, "safety.rollback-image", "allow")
	f.fired(rules, "safety.blast-radius", "allow")
	not "deny" in {x.effect | some x in rules}
}

test_rollback_same_tag_denied if {
	inp := object.union(f.rollback, {"action": {"params": {"toTag": "6.5.0"}}})
	f.fired(safety.rules, "safety.rollback-same-tag", "deny") with input as inp
}

test_rollback_params_denied if {
	inp := object.union(f.rollback, {"action": {"params": {"image": ""}}})
	rules := safety.rules with input as inp
	f.fired(rules, "safety.rollback-params", "deny")
	not "safety.rollback-image" in f.ids(rules)
}

test_unknown_action_requires_approval if {
	inp := f.with_({"action": {"id": "pause-rollout", "family": "workload", "params": {}}})
	rules := safety.rules with input as inp
	f.fired(rules, "safety.unbounded-action", "require-approval")
	not "safety.field-outside-family" in f.ids(rules)
}

test_two_objects_denied if {
	other := object.union(f.memory_field("limits", "256Mi", "384Mi"), {"name": "other"})
	inp := f.with_({"change": {"fields": [f.memory_field("limits", "256Mi", "384Mi"), other]}})
	rules := safety.rules with input as inp
	some r in rules
	r.id == "safety.blast-radius-objects"
	contains(r.message, "Deployment/podinfo/other")
	not "safety.blast-radius" in f.ids(rules)
}

test_requests_and_limits_allowed if {
	inp := f.with_({"change": {"fields": [f.memory_field("limits", "256Mi", "384Mi"), f.memory_field("requests", "128Mi", "192Mi")]}})
	rules := safety.rules with input as inp
	f.fired(rules, "safety.blast-radius", "allow")
}

test_field_outside_family_denied if {
	stray := object.union(f.memory_field("limits", "256Mi", "384Mi"), {"path": "/spec/replicas"})
	inp := f.with_({"change": {"fields": [f.memory_field("limits", "256Mi", "384Mi"), stray]}})
	rules := safety.rules with input as inp
	some r in rules
	r.id == "safety.field-outside-family"
	contains(r.message, "/spec/replicas")
}

test_init_container_fields_allowed if {
	field := object.union(f.memory_field("limits", "256Mi", "384Mi"), {"path": "/spec/template/spec/initContainers[name=podinfo]/resources/limits/memory"})
	inp := f.with_({"action": {"params": {"containerList": "initContainers"}}, "change": {"fields": [field]}})
	rules := safety.rules with input as inp
	f.fired(rules, "safety.blast-radius", "allow")
	not "safety.field-outside-family" in f.ids(rules)
}

test_init_container_field_needs_its_list if {
	field := object.union(f.memory_field("limits", "256Mi", "384Mi"), {"path": "/spec/template/spec/initContainers[name=podinfo]/resources/limits/memory"})
	rules := safety.rules with input as f.with_({"change": {"fields": [field]}})
	"safety.field-outside-family" in f.ids(rules)
}

test_too_many_fields_denied if {
	field := f.memory_field("limits", "256Mi", "384Mi")
	inp := f.with_({"change": {"fields": [field, field, field, field, field]}})
	f.fired(safety.rules, "safety.blast-radius-fields", "deny") with input as inp
}

test_object_removal_requires_approval if {
	inp := f.with_({"change": {"objects": [{"op": "remove", "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"}]}})
	f.fired(safety.rules, "safety.object-removed", "require-approval") with input as inp
}

workload(kind, replicas, autoscaler) := {"kind": kind, "name": "podinfo", "replicas": replicas, "autoscaler": autoscaler, "delivery": {"controller": "none"}}

statefulset(replicas) := object.union(f.production, {"target": {"kind": "StatefulSet"}, "workload": workload("StatefulSet", replicas, null)})

test_single_replica_statefulset_restart_requires_approval if {
	rules := safety.rules with input as statefulset(1)
	some r in rules
	r.id == "safety.single-replica-restart"
	r.effect == "require-approval"
	contains(r.message, "only pod of StatefulSet podinfo/podinfo (replicas: 1)")
	contains(r.message, "outage")
}

test_unset_replicas_is_one if {
	some r in safety.rules with input as statefulset(null)
	r.id == "safety.single-replica-restart"
	contains(r.message, "replicas unset, so 1")
}

test_two_replicas_keep_serving if {
	rules := safety.rules with input as statefulset(2)
	not "safety.single-replica-restart" in f.ids(rules)
}

test_autoscaler_floor_decides if {
	one := object.union(f.production, {"workload": workload("Deployment", null, {"name": "podinfo", "minReplicas": 1})})
	"safety.single-replica-restart" in f.ids(safety.rules) with input as one
	default_floor := object.union(f.production, {"workload": workload("Deployment", 1, {"name": "podinfo", "minReplicas": null})})
	"safety.single-replica-restart" in f.ids(safety.rules) with input as default_floor
	three := object.union(f.production, {"workload": workload("Deployment", 1, {"name": "podinfo", "minReplicas": 3})})
	not "safety.single-replica-restart" in f.ids(safety.rules) with input as three
}

test_blue_green_rollout_keeps_its_one_pod_serving if {
	rollout := object.union(workload("Rollout", null, null), {"delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "podinfo", "source": "overlay", "strategy": "blueGreen", "blueGreen": {"activeService": "podinfo"}}})
	bg := object.union(f.production, {"target": {"kind": "Rollout"}, "workload": rollout})
	not "safety.single-replica-restart" in f.ids(safety.rules) with input as bg
	canary := object.union(bg, {"workload": {"delivery": {"strategy": "canary", "blueGreen": null}}})
	"safety.single-replica-restart" in f.ids(safety.rules) with input as canary
}

test_change_outside_the_pod_template_restarts_nothing if {
	inp := object.union(f.hpa, {"environment": {"name": "production", "tier": "production"}, "workload": workload("Deployment", 1, null)})
	not "safety.single-replica-restart" in f.ids(safety.rules) with input as inp
}

test_no_workload_facts_no_rule if {
	not "safety.single-replica-restart" in f.ids(safety.rules) with input as f.base
}

test_single_replica_outside_production_is_no_outage_worth_a_human if {
	inp := object.union(f.base, {"workload": workload("Deployment", 1, null)})
	not "safety.single-replica-restart" in f.ids(safety.rules) with input as inp
}

test_single_replica_makes_automate_approve if {
	trusted := object.union(statefulset(1), {"target": {"kind": "Deployment"}, "workload": {"kind": "Deployment"}, "settings": {"trust": [{"environment": "*", "action": "*", "mode": "automate"}]}})
	d := data.salve.main.decision with data.salve.custom as {} with input as trusted
	d.allowed
	d.mode == "approve"
}
