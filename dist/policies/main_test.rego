package salve.main_test

import data.salve.exposure_test.canary
import data.salve.exposure_test.slo
import data.salve.fixtures_test as f
import data.salve.main

test_staging_memory_raise_automates if {
	d := main.decision with data.salve.custom as {} with input as f.base
	d.allowed == true
	d.mode == "automate"
}

test_production_memory_raise_needs_approval if {
	d := main.decision with data.salve.custom as {} with input as f.production
	d.allowed == true
	d.mode == "approve"
}

test_production_trusted_memory_raise_automates if {
	inp := object.union(f.production, {"settings": {"trust": [{"environment": "production", "action": "raise-memory-limit", "mode": "automate"}], "slos": [slo]}})
	d := main.decision with data.salve.custom as {} with input as inp
	d.mode == "automate"
}

test_production_trusted_canary_automates if {
	inp := object.union(f.production, {"target": {"kind": "Rollout"}, "settings": {"trust": [{"environment": "production", "action": "raise-memory-limit", "mode": "automate"}], "slos": [slo]}})
	d := main.decision with data.salve.custom as {} with input as canary(inp)
	d.mode == "automate"
}

test_require_approval_downgrades_automate if {
	d := main.decision with data.salve.custom as {} with input as f.with_({"target": {"kind": "StatefulSet"}})
	d.allowed == true
	d.mode == "approve"
}

test_deny_means_observe if {
	d := main.decision with data.salve.custom as {} with input as f.with_({"namespace": {"name": "kube-system"}})
	d.allowed == false
	d.mode == "observe"
}

test_advisory_means_observe if {
	d := main.decision with data.salve.custom as {} with input as f.with_({"incident": {"risk": {"score": 0.1}}})
	d.allowed == true
	d.mode == "observe"
}

# Out of hours in production: the PR is opened for a human, never auto-merged, even where the
# trust ladder says automate; a trust rule that says observe still observes.
out_of_hours(inp) := object.union(inp, {"time": {"businessHours": false, "hour": 23}})

test_out_of_hours_caps_automate_at_approve if {
	inp := object.union(f.production, {"target": {"kind": "Rollout"}, "settings": {"trust": [{"environment": "production", "action": "raise-memory-limit", "mode": "automate"}], "slos": [slo]}})
	main.decision.mode == "automate" with data.salve.custom as {} with input as canary(inp)
	d := main.decision with data.salve.custom as {} with input as canary(out_of_hours(inp))
	d.allowed == true
	d.mode == "approve"
}

test_out_of_hours_approve_stays_approve if {
	d := main.decision with data.salve.custom as {} with input as out_of_hours(f.production)
	d.allowed == true
	d.mode == "approve"
}

test_out_of_hours_observe_trust_still_observes if {
	inp := object.union(f.production, {"settings": {"trust": [{"environment": "production", "action": "*", "mode": "observe"}]}})
	d := main.decision with data.salve.custom as {} with input as out_of_hours(inp)
	d.mode == "observe"
}

test_observe_trust_means_observe if {
	inp := f.with_({"settings": {"trust": [], "defaultMode": "observe"}})
	d := main.decision with data.salve.custom as {} with input as inp
	d.mode == "observe"
}

test_rules_union_all_packages if {
	d := main.decision with data.salve.custom as {} with input as f.base
	prefixes := {split(r.id, ".")[0] | some r in d.rules}
	prefixes == {"admission", "merge", "safety"}
}

test_custom_package_rules_join if {
	custom := {"id": "custom.team-owner", "effect": "deny", "message": "team payments owns this"}
	d := main.decision with input as f.base with data.salve.custom.team.rules as {custom}
	custom in d.rules
	d.allowed == false
}

test_earned_trust_automates_the_decision if {
	inp := f.with_({
		"settings": {"trust": [], "defaultMode": "approve", "trustEarn": {"effective": 2, "windowSeconds": 86400}},
		"outcomes": [
			{"pull": 7, "action": "raise-memory-limit", "cluster": "in-cluster", "kind": "effective", "decidedAt": "2025-03-04T09:00:00Z"},
			{"pull": 9, "action": "raise-memory-limit", "cluster": "in-cluster", "kind": "effective", "decidedAt": "2025-03-04T10:00:00Z"},
		],
	})
	d := main.decision with input as inp
	d.allowed
	d.mode == "automate"
}
