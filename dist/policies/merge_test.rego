package salve.merge_test

import data.salve.fixtures_test as f
import data.salve.merge

test_first_matching_trust_rule_wins if {
	inp := f.with_({"settings": {"trust": [
		{"environment": "prod*", "action": "*", "mode": "observe"},
		{"environment": "staging", "action": "raise-*", "mode": "automate"},
		{"environment": "*", "action": "*", "mode": "approve"},
	]}})
	merge.base_mode == "automate" with input as inp
	rules := merge.rules with input as inp
	some r in rules
	r.id == "merge.trust-rule"
	r.effect == "allow"
	contains(r.message, "#2")
}

test_default_mode_when_no_rule_matches if {
	merge.base_mode == "approve" with input as f.production
	rules := merge.rules with input as f.production
	f.fired(rules, "merge.trust-default", "require-approval")
}

test_observe_trust_is_advisory if {
	inp := f.with_({"settings": {"trust": [{"environment": "*", "action": "*", "mode": "observe"}]}})
	rules := merge.rules with input as inp
	f.fired(rules, "merge.trust-rule", "advisory")
}

test_action_pattern_must_match if {
	inp := f.with_({"settings": {"trust": [{"environment": "staging", "action": "rollback-*", "mode": "automate"}]}})
	merge.base_mode == "approve" with input as inp
}

test_low_confidence_requires_approval if {
	rules := merge.rules with input as f.with_({"incident": {"risk": {"confidence": 0.5}}})
	f.fired(rules, "merge.low-confidence", "require-approval")
}

test_high_confidence_no_approval if {
	rules := merge.rules with input as f.base
	not "merge.low-confidence" in f.ids(rules)
	not "merge.sensitive-kind" in f.ids(rules)
	not "merge.production-workload" in f.ids(rules)
}

test_wide_risk_interval_requires_approval if {
	rules := merge.rules with input as f.with_({"incident": {"risk": {"score": 0.7, "confidence": 0.9, "type": "scaling", "interval": [0.35, 0.93]}}})
	f.fired(rules, "merge.uncertain-risk", "require-approval")
}

test_narrow_risk_interval_no_approval if {
	rules := merge.rules with input as f.with_({"incident": {"risk": {"score": 0.9, "confidence": 0.9, "type": "scaling", "interval": [0.86, 0.95]}}})
	not "merge.uncertain-risk" in f.ids(rules)
}

test_statefulset_requires_approval if {
	rules := merge.rules with input as f.with_({"target": {"kind": "StatefulSet"}})
	f.fired(rules, "merge.sensitive-kind", "require-approval")
}

test_production_workload_requires_approval if {
	inp := object.union(f.rollback, {"environment": {"name": "production", "tier": "production"}})
	rules := merge.rules with input as inp
	f.fired(rules, "merge.production-workload", "require-approval")
}

test_production_resources_no_workload_rule if {
	rules := merge.rules with input as f.production
	not "merge.production-workload" in f.ids(rules)
}

test_wildcard_spans_dots if {
	inp := f.with_({
		"environment": {"name": "prod.eu-west"},
		"settings": {"trust": [{"environment": "prod*", "action": "raise-*", "mode": "automate"}]},
	})
	merge.base_mode == "automate" with input as inp
}

# Trust from outcomes (settings.trustEarn, input.outcomes).
earn_settings := {"trust": [], "defaultMode": "approve", "trustEarn": {"effective": 3, "windowSeconds": 2592000}}

outcome(pull, kind) := {"pull": pull, "action": "raise-memory-limit", "cluster": "in-cluster", "kind": kind, "decidedAt": "2025-03-01T10:00:00Z"}

with_outcomes(kinds) := f.with_({
	"settings": earn_settings,
	"outcomes": [outcome(40 + i, k) | some i, k in kinds],
})

test_trust_earned_after_enough_effective_outcomes if {
	inp := with_outcomes(["effective", "ineffective", "effective", "effective"])
	merge.base_mode == "automate" with input as inp
	rules := merge.rules with input as inp
	some r in rules
	r.id == "merge.trust-earned"
	r.effect == "allow"
	r.message == "raise-memory-limit earned automate in staging: 3 effective follow-ups in the last 30 days (#40, #42, #43), none harmful"
	not "merge.trust-lost" in f.ids(rules)
}

test_trust_not_earned_with_too_few if {
	inp := with_outcomes(["effective", "effective", "inconclusive"])
	merge.base_mode == "approve" with input as inp
	rules := merge.rules with input as inp
	not "merge.trust-earned" in f.ids(rules)
	f.fired(rules, "merge.trust-default", "require-approval")
}

test_trust_lost_after_a_harmful_outcome if {
	inp := with_outcomes(["effective", "effective", "effective", "harmful"])
	merge.base_mode == "approve" with input as inp
	rules := merge.rules with input as inp
	not "merge.trust-earned" in f.ids(rules)
	f.fired(rules, "merge.trust-lost", "require-approval")
}

test_harm_holds_even_an_explicit_automate_rule if {
	inp := f.with_({
		"settings": object.union(earn_settings, {"trust": [{"environment": "*", "action": "*", "mode": "automate"}]}),
		"outcomes": [outcome(50, "harmful")],
	})
	merge.base_mode == "automate" with input as inp
	rules := merge.rules with input as inp
	f.fired(rules, "merge.trust-lost", "require-approval")
}

test_earned_trust_never_lifts_observe if {
	inp := f.with_({
		"settings": object.union(earn_settings, {"trust": [{"environment": "*", "action": "*", "mode": "observe"}]}),
		"outcomes": [outcome(40 + i, "effective") | some i in numbers.range(0, 4)],
	})
	merge.base_mode == "observe" with input as inp
	rules := merge.rules with input as inp
	not "merge.trust-earned" in f.ids(rules)
}

test_no_trust_earning_without_settings if {
	inp := f.with_({"settings": {"trust": [], "defaultMode": "approve"}, "outcomes": [outcome(40 + i, "effective") | some i in numbers.range(0, 9)]})
	merge.base_mode == "approve" with input as inp
	rules := merge.rules with input as inp
	not "merge.trust-earned" in f.ids(rules)
}

test_patterns_match_as_globs_with_or_without_glob_syntax if {
	merge.matches("*", "")
	merge.matches("*", "a.b")
	merge.matches("staging", "staging")
	not merge.matches("staging", "staging-2")
	merge.matches("a,b}", "a,b}")
	merge.matches("stag?ng", "staging")
	not merge.matches("stag?ng", "stag?")
	merge.matches("{dev,qa}-*", "qa-eu")
	merge.matches("[ab]x", "bx")
	not merge.matches("[ab]x", "[ab]x")
}

test_patterns_of_star_runs_match_as_globs if {
	every p in ["*", "st*", "*ing", "s*g", "*tag*", "st**ing", "s*a*g", "*", "**", "{staging,prod}", "st?ging", "[s]taging"] {
		merge.matches(p, "staging")
	}
	every p in ["prod*", "*prod", "staging*x", "s*x*g", "sta*ging*g", "st*ing*ing", "st?g", "[p]*"] {
		not merge.matches(p, "staging")
	}
	merge.matches("a*a", "aa")
	not merge.matches("a*a", "a")
	not merge.matches("a**a", "a")
	merge.matches("a*b*a", "aba")
	not merge.matches("a*b*a", "ab")
	merge.matches("*", "x\ny")
}
