package salve.admission_test

import data.salve.admission
import data.salve.fixtures_test as f

test_open_namespace_allows if {
	rules := admission.rules with input as f.base
	f.fired(rules, "admission.namespace-open", "allow")
	f.fired(rules, "admission.resource-pressure-tune", "allow")
	not "deny" in {r.effect | some r in rules}
}

test_protected_namespace_denied if {
	rules := admission.rules with input as f.with_({"namespace": {"name": "kube-system"}})
	f.fired(rules, "admission.protected-namespace", "deny")
	not "admission.namespace-open" in f.ids(rules)
}

test_safety_lock_denied if {
	rules := admission.rules with input as f.with_({"namespace": {"labels": {"salve.dev/safety-lock": "true"}}})
	f.fired(rules, "admission.safety-lock", "deny")
}

test_safety_lock_false_not_denied if {
	rules := admission.rules with input as f.with_({"namespace": {"labels": {"salve.dev/safety-lock": "false"}}})
	not "admission.safety-lock" in f.ids(rules)
}

test_freeze_denied_with_name if {
	rules := admission.rules with input as f.with_({"time": {"freeze": {"active": true, "name": "black-friday"}}})
	some r in rules
	r.id == "admission.change-freeze"
	r.effect == "deny"
	contains(r.message, "black-friday")
}

test_freeze_without_name if {
	rules := admission.rules with input as f.with_({"time": {"freeze": {"active": true}}})
	some r in rules
	r.id == "admission.change-freeze"
	contains(r.message, "(unnamed)")
}

test_pci_label_forbids_workload if {
	inp := object.union(f.rollback, {"namespace": {"labels": {"salve.dev/tier": "pci"}}})
	rules := admission.rules with input as inp
	f.fired(rules, "admission.pci-workload", "deny")
}

test_pci_environment_forbids_workload if {
	inp := object.union(f.rollback, {"environment": {"tier": "pci"}})
	rules := admission.rules with input as inp
	f.fired(rules, "admission.pci-workload", "deny")
}

test_pci_allows_resources if {
	rules := admission.rules with input as f.with_({"environment": {"tier": "pci"}})
	not "admission.pci-workload" in f.ids(rules)
}

test_namespace_tier_label_wins if {
	admission.tier == "pci" with input as f.with_({"namespace": {"labels": {"salve.dev/tier": "pci"}}})
	admission.tier == "staging" with input as f.with_({"namespace": {"labels": {"salve.dev/tier": ""}}})
}

test_low_risk_is_advisory if {
	rules := admission.rules with input as f.with_({"incident": {"risk": {"score": 0.2}}})
	f.fired(rules, "admission.risk-below-threshold", "advisory")
}

test_out_of_hours_production_needs_a_human if {
	inp := object.union(f.production, {"time": {"businessHours": false, "local": "Thu 23:30 Europe/Berlin", "businessWindow": "Mon–Fri 08:00–18:00 Europe/Berlin"}})
	rules := admission.rules with input as inp
	f.fired(rules, "admission.out-of-hours", "require-approval")
	some r in rules
	r.id == "admission.out-of-hours"
	r.message == "out of business hours: needs a human (Thu 23:30 Europe/Berlin; business hours Mon–Fri 08:00–18:00 Europe/Berlin)"
}

test_out_of_hours_message_without_local_time if {
	inp := object.union(f.production, {"time": {"businessHours": false, "hour": 3}})
	rules := admission.rules with input as inp
	some r in rules
	r.id == "admission.out-of-hours"
	r.message == "out of business hours: needs a human (hour 3; business hours not given)"
}

test_out_of_hours_staging_fine if {
	rules := admission.rules with input as f.with_({"time": {"businessHours": false}})
	not "admission.out-of-hours" in f.ids(rules)
}

test_production_by_label if {
	admission.production with input as f.with_({"namespace": {"labels": {"salve.dev/tier": "production"}}})
}

test_rollback_recent_release_allowed if {
	rules := admission.rules with input as f.rollback
	f.fired(rules, "admission.rollback-recent-release", "allow")
	not "deny" in {r.effect | some r in rules}
}

test_rollback_without_release_age_denied if {
	rules := admission.rules with input as object.union(f.rollback, {"release": {"ageSeconds": null}})
	f.fired(rules, "admission.rollback-release-age", "deny")
	not "admission.rollback-recent-release" in f.ids(rules)
}

test_rollback_old_release_denied if {
	rules := admission.rules with input as object.union(f.rollback, {"release": {"ageSeconds": 7200}})
	f.fired(rules, "admission.rollback-release-age", "deny")
}

test_rollback_messages_say_durations_as_people_write_them if {
	old := object.union(f.rollback, {"release": {"ageSeconds": 259200, "age": "3d"}, "settings": {"rollbackMaxReleaseAgeSeconds": 7200, "rollbackMaxReleaseAge": "2h"}})
	some denied in admission.rules with input as old
	denied.id == "admission.rollback-release-age"
	denied.message == "rollback undoes a release 3d old, not below the limit of 2h (policy.rollbackMaxReleaseAge)"
	recent := object.union(f.rollback, {"release": {"ageSeconds": 1800, "age": "30m"}, "settings": {"rollbackMaxReleaseAge": "2h"}})
	some allowed in admission.rules with input as recent
	allowed.id == "admission.rollback-recent-release"
	startswith(allowed.message, "rollback of a release younger than the limit of 2h (policy.rollbackMaxReleaseAge) at risk ")
}

test_rollback_messages_fall_back_to_seconds if {
	old := object.union(f.rollback, {"release": {"ageSeconds": 9000}})
	some r in admission.rules with input as old
	r.id == "admission.rollback-release-age"
	r.message == "rollback undoes a release 9000s old, not below the limit of 7200s (policy.rollbackMaxReleaseAge)"
}

test_rollback_low_risk_denied if {
	rules := admission.rules with input as object.union(f.rollback, {"incident": {"risk": {"score": 0.6}}})
	f.fired(rules, "admission.rollback-risk", "deny")
	not "admission.rollback-recent-release" in f.ids(rules)
}

test_resource_action_wrong_risk_type_denied if {
	rules := admission.rules with input as f.with_({"incident": {"risk": {"type": "crash-loop"}}})
	f.fired(rules, "admission.resource-risk-type", "deny")
	not "admission.resource-pressure-tune" in f.ids(rules)
}

test_resource_action_scaling_allowed if {
	rules := admission.rules with input as f.hpa
	f.fired(rules, "admission.resource-pressure-tune", "allow")
}

test_rollback_without_image_evidence_requires_approval if {
	some r in admission.rules with input as f.rollback
	r.id == "admission.rollback-image-unconfirmed"
	r.effect == "require-approval"
	contains(r.message, "6.4.1")
}

test_rollback_with_the_rendered_image_failing_is_confirmed if {
	inp := object.union(f.rollback, {"action": {"params": {"failingImage": "ghcr.io/stefanprodan/podinfo:6.5.0"}}})
	rules := admission.rules with input as inp
	f.fired(rules, "admission.rollback-image-confirmed", "allow")
	not "admission.rollback-image-unconfirmed" in f.ids(rules)
}
