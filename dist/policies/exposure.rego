# salve.exposure: which remediations ship as an Argo Rollouts canary, and how.
#
# `plan` (entrypoint salve/exposure/plan) is decided first, on the remediation alone: it reads the
# tier, the action and its disruption, the target kind and the SLO envelopes, never input.exposure
# nor input.change, so evaluating it again on a proof's input gives the same plan. The engine
# renders the Rollout and AnalysisTemplate from it, then the main decision sees the whole change
# with input.exposure = {plan, change, objects}; the rules below hold that plan to this one.
#
# Reads: input.action.{id,disruption}, input.target.kind, input.environment.tier,
# input.namespace.labels, input.settings.slos, input.exposure.plan.
package salve.exposure

import data.salve.admission

# Actions that change what a pod runs or may use: a bad value shows only under real traffic.
canary_actions := {"rollback-image", "raise-memory-limit", "raise-cpu-limit"}

# Kinds Argo Rollouts can take over (workloadRef) or already is.
canary_kinds := {"Deployment", "Rollout"}

required if {
	admission.production
	input.action.id in canary_actions
	input.target.kind in canary_kinds
}

# Scope and dwell by disruption: the more disruptive the action, the smaller the first step and the longer each dwell.
steps := [
	{"weight": 10, "pauseSeconds": 600, "analysis": true},
	{"weight": 30, "pauseSeconds": 600, "analysis": true},
	{"weight": 60, "pauseSeconds": 600, "analysis": true},
] if {
	input.action.disruption >= 3
} else := [
	{"weight": 25, "pauseSeconds": 300, "analysis": true},
	{"weight": 50, "pauseSeconds": 300, "analysis": true},
]

slos := object.get(input.settings, "slos", [])

# Promotion thresholds and abort triggers from the first SLO envelope: each gate takes `count`
# measurements `interval` apart; a failureCondition met more than `failureLimit` times aborts.
analysis := {
	"slo": slo.name,
	"address": slo.prometheus.address,
	"interval": "1m",
	"count": 5,
	"failureLimit": 1,
	"metrics": [
		{
			"name": "error-rate",
			"query": slo.errorRate.query,
			"successCondition": sprintf("result[0] <= %v", [slo.errorRate.max]),
			"failureCondition": sprintf("result[0] > %v", [slo.errorRate.max]),
		},
		{
			"name": "latency",
			"query": slo.latency.query,
			"successCondition": sprintf("result[0] <= %v", [slo.latency.maxSeconds]),
			"failureCondition": sprintf("result[0] > %v", [slo.latency.maxSeconds]),
		},
	],
} if {
	count(slos) > 0
	slo := slos[0]
} else := null

weights := concat(" → ", [sprintf("%d%%", [s.weight]) | some s in steps])

reason := sprintf("%s in %s (disruption %d) ships as a canary: %s → 100%%", [input.action.id, admission.tier, input.action.disruption, weights])

# progressively: the Deployment's pods go as the Rollout's come, and come back when it aborts.
plan := {
	"strategy": "canary",
	"reason": reason,
	"scaleDown": "progressively",
	"steps": steps,
	"analysis": analysis,
} if required

exposed if input.exposure

rules contains {"id": "exposure.canary", "effect": "allow", "message": reason} if {
	required
	input.exposure.plan == plan
}

rules contains {
	"id": "exposure.plan-missing",
	"effect": "deny",
	"message": sprintf("%s in %s must ship as a canary, and the change carries no exposure plan", [input.action.id, admission.tier]),
} if {
	required
	not exposed
}

rules contains {
	"id": "exposure.plan-differs",
	"effect": "deny",
	"message": "the change's exposure plan is not the one policy decides for this remediation",
} if {
	required
	exposed
	input.exposure.plan != plan
}

rules contains {
	"id": "exposure.unexpected",
	"effect": "deny",
	"message": sprintf("%s in %s needs no canary, and the change carries one", [input.action.id, admission.tier]),
} if {
	not required
	exposed
}

rules contains {
	"id": "exposure.no-guard-rails",
	"effect": "require-approval",
	"message": "no SLO envelope in .salve.yaml (slos:): the canary pauses between steps, but no analysis can abort it",
} if {
	required
	analysis == null
}

# Argo Rollouts deploys the first revision of a new Rollout without running its steps, and Argo CD
# applies the same sync's pod template to the Deployment it takes over: a takeover protects the
# changes after it, not the one it arrives with. A human decides whether that is acceptable now.
rules contains {
	"id": "exposure.takeover",
	"effect": "require-approval",
	"message": sprintf("this change hands %s/%s to a new Argo Rollouts Rollout: its first revision rolls out without canary steps, so this fix reaches every pod at once; the canary guards later changes", [input.target.kind, input.target.name]),
} if {
	some o in input.exposure.objects
	o.kind == "Rollout"
	o.op == "add"
}
