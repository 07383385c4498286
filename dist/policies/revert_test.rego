package salve.revert_test

import data.salve.admission
import data.salve.fixtures_test as f
import data.salve.main
import data.salve.merge

# The fixture's change (a memory limit raised), and the revert's declared inverse of it.
inverse := {"fields": [object.remove(c, ["before", "apiVersion"]) | some c in f.base.change.fields], "objects": []}

revert(patch) := object.union(
	object.union(f.production, {"action": {"id": "revert-remediation", "family": "workload", "params": {"pull": 41, "outcome": "harmful", "inverse": inverse}}}),
	patch,
)

automated := {"settings": {"revertOwnHarmful": "automate"}}

test_revert_needs_approval_by_default if {
	rules := merge.rules with input as revert({})
	f.fired(rules, "merge.revert-own-harmful", "require-approval")
	f.fired(rules, "merge.production-workload", "require-approval")
	main.decision.mode == "approve" with input as revert({})
}

test_revert_automated_where_configured if {
	inp := revert(automated)
	merge.base_mode == "automate" with input as inp
	rules := merge.rules with input as inp
	f.fired(rules, "merge.revert-own-harmful", "allow")
	not "merge.production-workload" in f.ids(rules)
	main.decision.mode == "automate" with input as inp
}

test_revert_automated_out_of_hours if {
	inp := revert(object.union(automated, {"time": {"businessHours": false}}))
	rules := admission.rules with input as inp
	not "admission.out-of-hours" in f.ids(rules)
	main.decision.mode == "automate" with input as inp
}

test_revert_not_automated_waits_out_of_hours if {
	rules := admission.rules with input as revert({"time": {"businessHours": false}})
	f.fired(rules, "admission.out-of-hours", "require-approval")
}

test_revert_in_pci_is_proposed_for_a_human if {
	inp := revert(object.union(automated, {"environment": {"tier": "pci"}}))
	rules := admission.rules with input as inp
	f.fired(rules, "admission.pci-revert", "require-approval")
	not "admission.pci-workload" in f.ids(rules)
	not merge.revert_automated with input as inp
	main.decision.allowed with input as inp
	main.decision.mode == "approve" with input as inp
}

test_revert_only_of_a_harmful_outcome if {
	inp := revert({"action": {"params": {"outcome": "ineffective"}}})
	rules := admission.rules with input as inp
	f.fired(rules, "admission.revert-not-harmful", "deny")
	not main.decision.allowed with input as inp
	not merge.revert_own with input as inp
}

test_other_actions_are_not_reverts if {
	rules := merge.rules with input as object.union(f.production, automated)
	not "merge.revert-own-harmful" in f.ids(rules)
	arules := admission.rules with input as f.production
	not "admission.revert-not-harmful" in f.ids(arules)
	not "admission.pci-revert" in f.ids(arules)
}

test_revert_still_stops_at_a_freeze if {
	inp := revert(object.union(automated, {"time": {"freeze": {"active": true, "name": "black-friday"}}}))
	not main.decision.allowed with input as inp
}

test_revert_is_exactly_the_declared_inverse if {
	rules := data.salve.safety.rules with input as revert({})
	f.fired(rules, "safety.revert-inverse", "allow")
	not "safety.unbounded-action" in f.ids(rules)
	f.fired(rules, "safety.blast-radius", "allow")
}

# The revert of a canaried fix also removes the canary steps its exposure added: more fields than
# a fix may touch, all of them the declared inverse.
test_revert_of_a_canaried_fix_is_not_held_to_the_fix_field_limit if {
	step := {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "podinfo", "namespace": "podinfo", "before": 25, "after": null}
	steps := [object.union(step, {"path": sprintf("/spec/strategy/canary/steps/%d/setWeight", [i])}) | some i in numbers.range(0, 5)]
	fields := array.concat(f.base.change.fields, steps)
	declared := [object.remove(c, ["before", "apiVersion"]) | some c in fields]
	inp := object.union(revert({"change": {"fields": fields}}), {"action": {"params": {"inverse": {"fields": declared, "objects": []}}}})
	rules := data.salve.safety.rules with input as inp
	f.fired(rules, "safety.revert-inverse", "allow")
	not "safety.blast-radius-fields" in f.ids(rules)
	extra := {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "podinfo", "path": "/spec/replicas", "before": 2, "after": 0}
	worse := json.patch(inp, [{"op": "add", "path": "/change/fields/-", "value": extra}])
	f.fired(data.salve.safety.rules, "safety.blast-radius-fields", "deny") with input as worse
}

test_revert_with_an_extra_change_is_denied if {
	extra := {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo", "namespace": "podinfo", "path": "/spec/replicas", "before": 2, "after": 0}
	inp := json.patch(revert({}), [{"op": "add", "path": "/change/fields/-", "value": extra}])
	rules := data.salve.safety.rules with input as inp
	f.fired(rules, "safety.revert-inverse", "deny")
	not main.decision.allowed with input as inp
}
