# salve.merge: the trust ladder (observe, approve, automate) per environment and action.
#
# Reads: input.environment.{name,tier}, input.action.{id,family}, input.target.kind,
# input.namespace.labels["salve.dev/tier"], input.incident.risk.{confidence,interval}, input.settings.{trust,defaultMode,confidenceThreshold,sensitiveKinds,trustEarn},
# input.outcomes (this action's follow-up outcomes in this environment within the trust window),
# input.action.params.{outcome,pull} and input.settings.revertOwnHarmful for a revert.
# Exposes `base_mode` (the trust ladder's answer before any require-approval) and `rules`.
package salve.merge

import data.salve.text

# `*` matches anything, including an empty string (no delimiters); the rest is glob syntax.
# Answered without compiling a glob (the wasm evaluator compiles one on every call): a pattern
# that is `*`, one with no glob syntax, and one whose only glob syntax is one or two runs of `*`
# (a prefix, a suffix and, between them, a part found in order) on a value without a line break,
# which the compiled glob never matches. Any other pattern compiles its glob.
matches(pattern, value) if glob_match(pattern, value)

# One answer per pattern, in this order: the first form that fits answers.
glob_match(pattern, value) if {
	pattern == "*"
} else := pattern == value if {
	literal(pattern)
} else := star_match(pieces, value) if {
	pieces := starred(pattern, value)
} else := glob.match(pattern, null, value)

# Total (true or false): an undefined answer would fall through to the glob. String builtins
# only: arithmetic in the wasm evaluator, even on counts, goes through arbitrary-precision decimals.
star_match(pieces, value) if {
	count(pieces) == 2
	startswith(value, pieces[0])
	endswith(trim_prefix(value, pieces[0]), pieces[1])
} else if {
	count(pieces) == 3
	startswith(value, pieces[0])
	rest := trim_prefix(value, pieces[0])
	endswith(rest, pieces[2])
	contains(trim_suffix(rest, pieces[2]), pieces[1])
} else := false

# Glob syntax other than `*`.
classes(pattern) if contains(pattern, "?")

classes(pattern) if contains(pattern, "[")

classes(pattern) if contains(pattern, "]")

classes(pattern) if contains(pattern, "{")

classes(pattern) if contains(pattern, "}")

classes(pattern) if contains(pattern, "\\")

literal(pattern) if {
	not contains(pattern, "*")
	not classes(pattern)
}

# A pattern with one or two runs of `*` and no other glob syntax, split at the runs: before the
# first, between (when two), after the last. String builtins only, as in star_match.
starred(pattern, value) := pieces if {
	pattern != "*"
	contains(pattern, "*")
	not classes(pattern)
	not contains(value, "\n")
	prefix := split(pattern, "*")[0]
	pieces := runs(prefix, trim_left(trim_prefix(pattern, prefix), "*"))
}

runs(prefix, after) := [prefix, after] if {
	not contains(after, "*")
} else := [prefix, middle, last] if {
	middle := split(after, "*")[0]
	last := trim_left(trim_prefix(after, middle), "*")
	not contains(last, "*")
}

# Indices of the trust rules that match, in order: the first one wins.
matching := [i |
	some i, rule in input.settings.trust
	matches(rule.environment, input.environment.name)
	matches(rule.action, input.action.id)
]

matched := input.settings.trust[matching[0]]

ladder_mode := matched.mode if {
	count(matching) > 0
} else := input.settings.defaultMode

# Trust earned from outcomes (settings.trustEarn): an action the ladder leaves at approve is
# automated once the window holds enough effective follow-ups and no harmful one. It never lifts
# observe (an explicit "advise only") and never overrides the other require-approval rules.
effective_pulls := [o.pull | some o in input.outcomes; o.kind == "effective"]

harmful_pulls := [o.pull | some o in input.outcomes; o.kind == "harmful"]

earned if {
	input.settings.trustEarn.effective > 0
	count(effective_pulls) >= input.settings.trustEarn.effective
	count(harmful_pulls) == 0
}

# The revert of salve's own merged change, found harmful by its follow-up. `.salve.yaml`
# followUp.revert: automate lets salve merge it by itself (never in pci).
revert_own if {
	input.action.id == "revert-remediation"
	input.action.params.outcome == "harmful"
}

revert_automated if {
	revert_own
	input.settings.revertOwnHarmful == "automate"
	not data.salve.admission.pci
}

base_mode := "automate" if {
	revert_automated
} else := "automate" if {
	ladder_mode == "approve"
	earned
} else := ladder_mode

window_days(s) := round((s / 86400) * 10) / 10

pull_list(pulls) := concat(", ", [text.format("#%s", [p]) | some p in pulls])

# How the base mode shows in the rules: automate allows, approve asks, observe only advises.
mode_effect := {"automate": "allow", "approve": "require-approval", "observe": "advisory"}

rules contains {
	"id": "merge.trust-earned",
	"effect": "allow",
	"message": text.format("%s earned automate in %s: %s in the last %s days (%s), none harmful", [input.action.id, input.environment.name, text.counted(count(effective_pulls), "effective follow-up"), window_days(input.settings.trustEarn.windowSeconds), pull_list(effective_pulls)]),
} if {
	ladder_mode == "approve"
	earned
}

rules contains {
	"id": "merge.trust-lost",
	"effect": "require-approval",
	"message": text.format("%s had a harmful follow-up in %s within the last %s days (%s): a human approves it", [input.action.id, input.environment.name, window_days(input.settings.trustEarn.windowSeconds), pull_list(harmful_pulls)]),
} if {
	input.settings.trustEarn
	count(harmful_pulls) > 0
}

rules contains {
	"id": "merge.trust-rule",
	"effect": mode_effect[base_mode],
	"message": text.format("trust rule #%s (environment %s, action %s) sets %s", [matching[0] + 1, matched.environment, matched.action, ladder_mode]),
} if {
	count(matching) > 0
}

rules contains {
	"id": "merge.trust-default",
	"effect": mode_effect[base_mode],
	"message": text.format("no trust rule matches environment %s and action %s: default mode %s", [input.environment.name, input.action.id, ladder_mode]),
} if {
	count(matching) == 0
}

rules contains {
	"id": "merge.low-confidence",
	"effect": "require-approval",
	"message": text.format("confidence %s is below %s", [input.incident.risk.confidence, input.settings.confidenceThreshold]),
} if {
	input.incident.risk.confidence < input.settings.confidenceThreshold
}

# Perception's bootstrap replicas disagree: the risk is not known well enough to merge unattended.
max_risk_interval_width := 0.3

rules contains {
	"id": "merge.uncertain-risk",
	"effect": "require-approval",
	"message": text.format("risk interval %s–%s is wider than %s", [input.incident.risk.interval[0], input.incident.risk.interval[1], max_risk_interval_width]),
} if {
	input.incident.risk.interval[1] - input.incident.risk.interval[0] > max_risk_interval_width
}

rules contains {
	"id": "merge.sensitive-kind",
	"effect": "require-approval",
	"message": text.format("%s is a sensitive kind (settings.sensitiveKinds)", [input.target.kind]),
} if {
	input.target.kind in input.settings.sensitiveKinds
}

rules contains {
	"id": "merge.revert-own-harmful",
	"effect": "allow",
	"message": text.format("salve reverts its own change #%s, found harmful by its follow-up (followUp.revert: automate)", [input.action.params.pull]),
} if {
	revert_automated
}

rules contains {
	"id": "merge.revert-own-harmful",
	"effect": "require-approval",
	"message": text.format("a human merges the revert of salve's change #%s, found harmful by its follow-up (followUp.revert: approve)", [input.action.params.pull]),
} if {
	revert_own
	not revert_automated
}

rules contains {
	"id": "merge.production-workload",
	"effect": "require-approval",
	"message": text.format("workload action %s in production needs a human", [input.action.id]),
} if {
	data.salve.admission.production
	input.action.family == "workload"
	not revert_automated
}
