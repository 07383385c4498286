# salve.exposure: which remediations ship as an Argo Rollouts canary, and how.
#
# `plan` (entrypoint salve/exposure/plan) is decided first, on the remediation alone: it reads the
# tier, the action and its disruption, the target kind and the SLO envelopes, never input.exposure
# nor input.change, so evaluating it again on a proof's input gives the same plan. The engine
# renders the Rollout and AnalysisTemplate from it, then the main decision sees the whole change
# with input.exposure = {plan, change, objects}; the rules below hold that plan to this one.
#
# Reads: input.action.{id,disruption}, input.target.{kind,name}, input.environment.tier,
# input.namespace.labels, input.settings.slos, input.workload.delivery, input.exposure.{plan,objects}.
package salve.exposure

import data.salve.text

import data.salve.admission

# Actions that change what a pod runs or may use: a bad value shows only under real traffic.
canary_actions := {"rollback-image", "raise-memory-limit", "raise-cpu-limit"}

# The action that proposes adopting Argo Rollouts for a plain Deployment, as its own change.
adopt_action := "adopt-argo-rollouts"

delivery := object.get(object.get(input, "workload", {}), "delivery", {"controller": "none"})

# An Argo Rollout in the same overlay rolls the change out: the target itself, or the Rollout whose
# workloadRef names the Deployment. When it has no canary steps of its own, salve sets steps and
# guard rails for this change; when it has (the team's release process, or the steps of the
# Rollout salve's adoption PR brought), they canary the fix as any change: salve leaves them alone.
under_rollout if input.target.kind == "Rollout"

under_rollout if {
	delivery.controller == "argo-rollouts"
	delivery.source == "overlay"
}

# A Flagger Canary, or a Rollout salve cannot reach from this overlay, canaries the change on its own.
other_controller if delivery.controller == "flagger"

other_controller if {
	delivery.controller == "argo-rollouts"
	delivery.source != "overlay"
	input.target.kind != "Rollout"
}

# Would this remediation deserve a canary, if the workload were under progressive delivery?
deserves_canary if {
	admission.production
	input.action.id in canary_actions
	input.target.kind in {"Deployment", "Rollout"}
}

# The Rollout's own canary steps, which canary any change to its pod template.
own_steps := object.get(delivery, "steps", 0)

# A canary Rollout's background analysis, which guards any change to its pod template.
own_analysis := object.get(delivery, "analysis", [])

# The team's own release strategy: canary steps, a canary's background analysis, or blue/green
# (the new ReplicaSet comes up as preview and is promoted to the active Service). It releases
# salve's fix as it releases any change: salve adds no plan and changes nothing of it.
own_strategy if own_steps > 0

own_strategy if count(own_analysis) > 0

own_strategy if delivery.strategy == "blueGreen"

required if {
	deserves_canary
	under_rollout
	not own_strategy
}

# Adopting Argo Rollouts is nothing but its exposure: the takeover Rollout and its guard rails.
required if input.action.id == adopt_action

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
# Guard rails against a blind analysis: an empty or NaN result fails (Argo Rollouts would
# otherwise mark a run Successful when every measurement errored, argoproj/argo-rollouts#4479 and
# #1466), an erroring query aborts after two errors in a row, and promotion needs
# `minSuccessful` successful measurements in a row.
analysis := {
	"slo": slo.name,
	"address": slo.prometheus.address,
	"interval": "1m",
	"count": 5,
	"failureLimit": 1,
	"minSuccessful": 3,
	"errorLimit": 2,
	"metrics": [
		{
			"name": "error-rate",
			"query": slo.errorRate.query,
			"successCondition": success_condition(slo.errorRate.max),
			"failureCondition": failure_condition(slo.errorRate.max),
		},
		{
			"name": "latency",
			"query": slo.latency.query,
			"successCondition": success_condition(slo.latency.maxSeconds),
			"failureCondition": failure_condition(slo.latency.maxSeconds),
		},
	],
} if {
	count(slos) > 0
	slo := slos[0]
} else := null

success_condition(max) := text.format("len(result) > 0 && !isNaN(result[0]) && result[0] <= %s", [max])

failure_condition(max) := text.format("len(result) == 0 || isNaN(result[0]) || result[0] > %s", [max])

weights := concat(" → ", [text.format("%s%", [s.weight]) | some s in steps])

reason := text.format("adopting Argo Rollouts: later changes to %s/%s ship as a canary: %s → 100%", [input.target.kind, input.target.name, weights]) if {
	input.action.id == adopt_action
} else := text.format("%s in %s (disruption %s) ships as a canary: %s → 100%", [input.action.id, admission.tier, input.action.disruption, weights])

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
	"message": text.format("%s in %s must ship as a canary, and the change carries no exposure plan", [input.action.id, admission.tier]),
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
	"message": text.format("%s in %s needs no canary, and the change carries one", [input.action.id, admission.tier]),
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

takeover if {
	some o in input.exposure.objects
	o.kind == "Rollout"
	o.op == "add"
}

# Argo Rollouts deploys the first revision of a new Rollout without running its steps: a takeover
# protects the changes after it, never the one it arrives with. So a fix never carries one.
rules contains {
	"id": "exposure.takeover-in-fix",
	"effect": "deny",
	"message": text.format("%s hands %s/%s to a new Argo Rollout in the same change: its first revision skips the canary steps, so the fix would reach every pod at once and the team's release process would change inside an emergency fix", [input.action.id, input.target.kind, input.target.name]),
} if {
	takeover
	input.action.id != adopt_action
}

rules contains {
	"id": "exposure.takeover",
	"effect": "require-approval",
	"message": text.format("this change hands %s/%s to a new Argo Rollout (workloadRef, pod template unchanged): the team's release process changes, so a human decides", [input.target.kind, input.target.name]),
} if {
	takeover
	input.action.id == adopt_action
}

rules contains {
	"id": "exposure.adoption-needs-deployment",
	"effect": "deny",
	"message": text.format("%s applies to a plain Deployment; %s/%s is a %s", [adopt_action, input.target.kind, input.target.name, input.target.kind]),
} if {
	input.action.id == adopt_action
	input.target.kind != "Deployment"
}

rules contains {
	"id": "exposure.adoption-has-controller",
	"effect": "deny",
	"message": text.format("%s/%s already rolls out under %s %s: a second controller would fight it", [input.target.kind, input.target.name, delivery.kind, delivery.name]),
} if {
	input.action.id == adopt_action
	delivery.controller != "none"
}

controller_name := text.format("Argo Rollout %s", [delivery.name]) if {
	delivery.controller == "argo-rollouts"
} else := text.format("Flagger Canary %s", [delivery.name])

controller_where := "" if {
	delivery.source == "overlay"
} else := text.format(" (declared in %s)", [delivery.source])

controller_does := "canaries this change" if {
	delivery.controller == "flagger"
} else := text.format("canaries this change with its own %s (the team's, left as they are)", [text.counted(own_steps, "canary step")]) if {
	own_steps > 0
} else := text.format("canaries this change with its own background analysis (%s, the team's, left as it is)", [concat(", ", own_analysis)]) if {
	count(own_analysis) > 0
} else := "rolls this change out under its own strategy"

# Blue/green, read from the Rollout's own fields and said as they are (names are Kubernetes names).
bg := object.get(delivery, "blueGreen", {})

bg_names(key) := concat(", ", object.get(bg, key, []))

bg_preview := text.format("behind preview Service %s", [bg.previewService]) if {
	bg.previewService
} else := "with no preview Service"

bg_active := text.format("active Service %s", [bg.activeService]) if {
	bg.activeService
} else := "the active Service"

bg_pre := text.format(", is analysed before promotion (prePromotionAnalysis: %s)", [bg_names("prePromotionAnalysis")]) if {
	bg_names("prePromotionAnalysis") != ""
} else := ""

bg_promote := text.format("waits for a human to promote it to %s (autoPromotionEnabled: false)", [bg_active]) if {
	bg.autoPromotionEnabled == false
} else := text.format("is promoted to %s %ss after it is ready (autoPromotionSeconds: %s)", [bg_active, bg.autoPromotionSeconds, bg.autoPromotionSeconds]) if {
	bg.autoPromotionSeconds
} else := text.format("is promoted to %s as soon as it is ready (autoPromotionEnabled: %s)", [bg_active, object.get(bg, "autoPromotionEnabled", "unset, so true")])

bg_post := text.format(", and is analysed after promotion (postPromotionAnalysis: %s)", [bg_names("postPromotionAnalysis")]) if {
	bg_names("postPromotionAnalysis") != ""
} else := ", with no analysis before or after promotion" if {
	bg_pre == ""
} else := ""

# "Argo Rollout X releases this change blue/green when ...: the new ReplicaSet comes up ..."
bg_release := text.format("%s%s releases this change blue/green when %s/%s's pod template changes: the new ReplicaSet comes up %s%s, then %s%s; salve adds no controller of its own and leaves the team's strategy as it is", [controller_name, controller_where, input.target.kind, input.target.name, bg_preview, bg_pre, bg_promote, bg_post])

existing_message := bg_release if {
	delivery.controller == "argo-rollouts"
	delivery.strategy == "blueGreen"
} else := text.format("%s%s %s when %s/%s's pod template changes; salve adds no controller of its own", [controller_name, controller_where, controller_does, input.target.kind, input.target.name])

# Flagger, or a Rollout this overlay does not render, rolls the change out when the Deployment's
# pod template changes; so does a Rollout of the overlay with a strategy of its own (canary steps,
# background analysis, blue/green), or where
# policy asks for no canary (outside production). salve adds no controller, changes no step, and
# names the one that will.
rules contains {
	"id": "exposure.existing-controller",
	"effect": "allow",
	"message": existing_message,
} if {
	input.action.id != adopt_action
	not required
	delivery.controller != "none"
}

# A plain Deployment is never migrated inside a fix: the fix ships directly, as the Deployment's
# own rolling update, and salve's follow-up guards it (a revert PR when the SLOs breach).
rules contains {
	"id": "exposure.direct",
	"effect": "allow",
	"message": text.format("%s/%s has no progressive delivery: the fix rolls out as the Deployment's own rolling update, and salve's follow-up proposes a revert if the SLOs breach after the sync", [input.target.kind, input.target.name]),
} if {
	deserves_canary
	not under_rollout
	not other_controller
}
