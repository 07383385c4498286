package salve.exposure_test

import data.salve.exposure
import data.salve.fixtures_test as f
import data.salve.main

slo := {
	"name": "http-availability",
	"prometheus": {"address": "http://prometheus:9090"},
	"errorRate": {"query": "errors{service=\"{{args.service}}\"}", "max": 0.01},
	"latency": {"query": "p99{service=\"{{args.service}}\"}", "maxSeconds": 0.5},
}

plain := object.union(f.production, {"settings": {"slos": [slo]}})

# A production Deployment under an Argo Rollout of the same overlay (workloadRef).
under_rollout(inp) := object.union(inp, {"workload": {"kind": "Deployment", "name": "podinfo", "replicas": 3, "autoscaler": null, "delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "podinfo", "source": "overlay"}}})

with_slos := under_rollout(plain)

# The input as the engine hands it to the main decision: the plan policy chose, and what it rendered.
canary(inp) := object.union(inp, {"exposure": {"plan": p, "change": {"fields": [], "objects": []}, "objects": []}}) if {
	p := exposure.plan with input as inp
}

rollback := object.union(with_slos, {"action": {"id": "rollback-image", "family": "workload", "disruption": 3}})

test_staging_needs_no_canary if {
	not exposure.plan with input as f.base
	d := main.decision with data.salve.custom as {} with input as f.base
	d.allowed
	every r in d.rules { not startswith(r.id, "exposure.") }
}

test_hpa_raise_in_production_needs_no_canary if {
	inp := object.union(with_slos, {"action": {"id": "raise-hpa-max-replicas"}, "target": {"kind": "HorizontalPodAutoscaler"}})
	not exposure.plan with input as inp
}

test_statefulset_needs_no_canary if {
	not exposure.plan with input as object.union(with_slos, {"target": {"kind": "StatefulSet"}})
}

test_namespace_label_makes_production if {
	inp := under_rollout(object.union(f.base, {"namespace": {"labels": {"salve.dev/tier": "production"}}}))
	p := exposure.plan with input as inp
	p.strategy == "canary"
}

test_memory_raise_in_production_two_steps if {
	p := exposure.plan with input as with_slos
	[s.weight | some s in p.steps] == [25, 50]
	[s.pauseSeconds | some s in p.steps] == [300, 300]
	p.scaleDown == "progressively"
	p.analysis.slo == "http-availability"
	p.analysis.metrics[0].successCondition == "len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.01"
	p.analysis.metrics[0].failureCondition == "len(result) == 0 || isNaN(result[0]) || result[0] > 0.01"
	p.analysis.metrics[1].successCondition == "len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.5"
	p.analysis.minSuccessful == 3
	p.analysis.errorLimit == 2
	p.analysis.metrics[1].query == slo.latency.query
	p.reason == "raise-memory-limit in production (disruption 1) ships as a canary: 25% → 50% → 100%"
}

test_rollback_in_production_smaller_first_step_longer_dwell if {
	p := exposure.plan with input as rollback
	[s.weight | some s in p.steps] == [10, 30, 60]
	every s in p.steps { s.pauseSeconds == 600 }
}

test_required_without_exposure_is_denied if {
	d := main.decision with data.salve.custom as {} with input as with_slos
	not d.allowed
	some r in d.rules
	r.id == "exposure.plan-missing"
}

test_matching_plan_is_allowed if {
	d := main.decision with data.salve.custom as {} with input as canary(with_slos)
	d.allowed
	some r in d.rules
	r.id == "exposure.canary"
	r.effect == "allow"
}

test_weakened_plan_is_denied if {
	good := canary(with_slos)
	weak := object.union(good, {"exposure": {"plan": {"steps": [{"weight": 100, "pauseSeconds": 0, "analysis": false}]}}})
	d := main.decision with data.salve.custom as {} with input as weak
	not d.allowed
	some r in d.rules
	r.id == "exposure.plan-differs"
}

test_canary_where_none_is_needed_is_denied if {
	inp := object.union(f.base, {"exposure": {"plan": {}, "change": {"fields": [], "objects": []}, "objects": []}})
	d := main.decision with data.salve.custom as {} with input as inp
	not d.allowed
	some r in d.rules
	r.id == "exposure.unexpected"
}

test_no_slo_requires_approval if {
	trusted := under_rollout(object.union(f.production, {"settings": {"trust": [{"environment": "production", "action": "*", "mode": "automate"}]}}))
	p := exposure.plan with input as trusted
	p.analysis == null
	d := main.decision with data.salve.custom as {} with input as canary(trusted)
	d.allowed
	d.mode == "approve"
	some r in d.rules
	r.id == "exposure.no-guard-rails"
}

test_plan_ignores_exposure_and_change if {
	a := exposure.plan with input as with_slos
	b := exposure.plan with input as object.union(canary(with_slos), {"change": {"fields": [], "objects": [{"op": "add"}]}})
	a == b
}

takeover_objects := {"exposure": {"objects": [{"op": "add", "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "podinfo", "specSha256": "x"}]}}

adoption := object.union(plain, {
	"action": {"id": "adopt-argo-rollouts", "family": "workload", "disruption": 4, "params": {"deployment": "podinfo"}},
	"change": {"fields": [], "objects": []},
	"workload": {"kind": "Deployment", "name": "podinfo", "replicas": 3, "autoscaler": null, "delivery": {"controller": "none"}},
	"settings": {"trust": [{"environment": "*", "action": "*", "mode": "automate"}]},
})

test_plain_deployment_fix_ships_directly if {
	not exposure.plan with input as plain
	d := main.decision with data.salve.custom as {} with input as plain
	d.allowed
	some r in d.rules
	r.id == "exposure.direct"
	r.effect == "allow"
	contains(r.message, "revert if the SLOs breach")
}

test_takeover_in_a_fix_is_denied if {
	inp := object.union(plain, object.union(takeover_objects, {"exposure": {"plan": {}, "change": {"fields": [], "objects": []}}}))
	d := main.decision with data.salve.custom as {} with input as inp
	not d.allowed
	some r in d.rules
	r.id == "exposure.takeover-in-fix"
	contains(r.message, "every pod at once")
}

test_adoption_takeover_requires_approval if {
	p := exposure.plan with input as adoption
	[s.weight | some s in p.steps] == [10, 30, 60]
	startswith(p.reason, "adopting Argo Rollouts")
	inp := object.union(canary(adoption), takeover_objects)
	d := main.decision with data.salve.custom as {} with input as inp
	d.allowed
	d.mode == "approve"
	"exposure.takeover" in {r.id | some r in d.rules}
	"safety.adoption-template-unchanged" in {r.id | some r in d.rules}
	not "safety.unbounded-action" in {r.id | some r in d.rules}
}

test_adoption_of_a_controlled_workload_is_denied if {
	flagger := object.union(adoption, {"workload": {"delivery": {"controller": "flagger", "kind": "Canary", "name": "podinfo", "source": "overlay"}}})
	d := main.decision with data.salve.custom as {} with input as object.union(canary(flagger), takeover_objects)
	"exposure.adoption-has-controller" in {r.id | some r in d.rules}
	not d.allowed
	sts := object.union(adoption, {"target": {"kind": "StatefulSet"}})
	"exposure.adoption-needs-deployment" in {r.id | some r in main.decision.rules} with data.salve.custom as {} with input as sts
}

test_flagger_canaries_the_fix if {
	inp := object.union(plain, {"workload": {"kind": "Deployment", "name": "podinfo", "replicas": 2, "autoscaler": null, "delivery": {"controller": "flagger", "kind": "Canary", "name": "podinfo", "namespace": "test", "source": "apps/canary.yaml"}}})
	not exposure.plan with input as inp
	d := main.decision with data.salve.custom as {} with input as inp
	d.allowed
	some r in d.rules
	r.id == "exposure.existing-controller"
	r.message == "Flagger Canary podinfo (declared in apps/canary.yaml) canaries this change when Deployment/podinfo's pod template changes; salve adds no controller of its own"
	not "exposure.direct" in {x.id | some x in d.rules}
}

test_staging_rollout_rolls_out_the_fix_under_its_own_strategy if {
	inp := object.union(f.base, {"target": {"kind": "Rollout"}, "workload": {"kind": "Rollout", "name": "podinfo", "replicas": 2, "autoscaler": null, "delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "podinfo", "source": "overlay"}}})
	not exposure.plan with input as inp
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	r.message == "Argo Rollout podinfo rolls this change out under its own strategy when Rollout/podinfo's pod template changes; salve adds no controller of its own"
}

test_rollout_elsewhere_canaries_the_fix if {
	inp := object.union(plain, {"workload": {"kind": "Deployment", "name": "podinfo", "replicas": 2, "autoscaler": null, "delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "podinfo", "source": "rollouts/podinfo.yaml"}}})
	not exposure.plan with input as inp
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	startswith(r.message, "Argo Rollout podinfo (declared in rollouts/podinfo.yaml)")
}

test_rollout_in_the_overlay_canaries_with_salve_steps if {
	p := exposure.plan with input as with_slos
	p.strategy == "canary"
	d := main.decision with data.salve.custom as {} with input as canary(with_slos)
	d.allowed
	not "exposure.existing-controller" in {r.id | some r in d.rules}
	not "exposure.direct" in {r.id | some r in d.rules}
}

# The team's Rollout already has canary steps: they canary the fix, salve changes none of them.
with_team_steps := object.union(with_slos, {"workload": {"delivery": {"steps": 4}}})

test_rollout_with_its_own_steps_canaries_the_fix_with_them if {
	not exposure.plan with input as with_team_steps
	d := main.decision with data.salve.custom as {} with input as with_team_steps
	d.allowed
	some r in d.rules
	r.id == "exposure.existing-controller"
	r.effect == "allow"
	r.message == "Argo Rollout podinfo canaries this change with its own 4 canary steps (the team's, left as they are) when Deployment/podinfo's pod template changes; salve adds no controller of its own"
	not "exposure.canary" in {x.id | some x in d.rules}
	not "exposure.direct" in {x.id | some x in d.rules}
}

test_rollout_with_its_own_steps_refuses_salve_steps if {
	salve_plan := exposure.plan with input as with_slos
	inp := object.union(with_team_steps, {"exposure": {"plan": salve_plan, "change": {"fields": [], "objects": []}, "objects": []}})
	d := main.decision with data.salve.custom as {} with input as inp
	"exposure.unexpected" in {r.id | some r in d.rules}
	not d.allowed
}

test_rollout_target_with_one_step_of_its_own if {
	inp := object.union(plain, {"target": {"kind": "Rollout"}, "workload": {"kind": "Rollout", "name": "podinfo", "replicas": 2, "autoscaler": null, "delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "podinfo", "source": "overlay", "steps": 1}}})
	not exposure.plan with input as inp
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	contains(r.message, "with its own 1 canary step (the team's")
}

test_patching_an_existing_rollout_is_no_takeover if {
	inp := object.union(canary(with_slos), {"exposure": {"objects": [{"op": "patch", "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "checkout", "specSha256": "x"}]}})
	d := main.decision with data.salve.custom as {} with input as inp
	every r in d.rules { r.id != "exposure.takeover" }
}

# A blue/green Rollout as the target (the argo-rollouts documented example, namePrefix my-).
blue_green(bg) := object.union(plain, {"target": {"kind": "Rollout", "name": "my-rollouts-demo"}, "workload": {"kind": "Rollout", "name": "my-rollouts-demo", "replicas": null, "autoscaler": null, "delivery": {"controller": "argo-rollouts", "kind": "Rollout", "name": "my-rollouts-demo", "source": "overlay", "strategy": "blueGreen", "blueGreen": bg}}})

test_blue_green_rollout_releases_the_fix_itself if {
	inp := blue_green({"activeService": "my-rollouts-demo-svc"})
	not exposure.plan with input as inp
	d := main.decision with data.salve.custom as {} with input as inp
	d.allowed
	some r in d.rules
	r.id == "exposure.existing-controller"
	r.effect == "allow"
	r.message == "Argo Rollout my-rollouts-demo releases this change blue/green when Rollout/my-rollouts-demo's pod template changes: the new ReplicaSet comes up with no preview Service, then is promoted to active Service my-rollouts-demo-svc as soon as it is ready (autoPromotionEnabled: unset, so true), with no analysis before or after promotion; salve adds no controller of its own and leaves the team's strategy as it is"
	not "exposure.plan-missing" in {x.id | some x in d.rules}
	not "exposure.direct" in {x.id | some x in d.rules}
}

test_blue_green_message_names_preview_promotion_and_analysis if {
	inp := blue_green({"activeService": "web", "previewService": "web-preview", "autoPromotionEnabled": false, "prePromotionAnalysis": ["smoke", "error-rate"], "postPromotionAnalysis": ["latency"]})
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	contains(r.message, "comes up behind preview Service web-preview, is analysed before promotion (prePromotionAnalysis: smoke, error-rate), then waits for a human to promote it to active Service web (autoPromotionEnabled: false), and is analysed after promotion (postPromotionAnalysis: latency);")
}

test_blue_green_timed_promotion_with_pre_analysis_only if {
	inp := blue_green({"activeService": "web", "autoPromotionSeconds": 600, "prePromotionAnalysis": ["smoke"]})
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	contains(r.message, "is analysed before promotion (prePromotionAnalysis: smoke), then is promoted to active Service web 600s after it is ready (autoPromotionSeconds: 600);")
	not contains(r.message, "no analysis")
}

test_blue_green_refuses_salve_plan if {
	salve_plan := exposure.plan with input as with_slos
	inp := object.union(blue_green({"activeService": "web"}), {"exposure": {"plan": salve_plan, "change": {"fields": [], "objects": []}, "objects": []}})
	d := main.decision with data.salve.custom as {} with input as inp
	"exposure.unexpected" in {r.id | some r in d.rules}
	not d.allowed
}

test_blue_green_rollout_over_a_deployment if {
	inp := object.union(with_slos, {"workload": {"delivery": {"strategy": "blueGreen", "blueGreen": {"activeService": "podinfo", "previewService": "podinfo-preview"}}}})
	not exposure.plan with input as inp
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	startswith(r.message, "Argo Rollout podinfo releases this change blue/green when Deployment/podinfo's pod template changes: the new ReplicaSet comes up behind preview Service podinfo-preview")
}

test_canary_with_background_analysis_and_no_steps_is_its_own_strategy if {
	inp := object.union(with_slos, {"workload": {"delivery": {"strategy": "canary", "analysis": ["success-rate"]}}})
	not exposure.plan with input as inp
	some r in main.decision.rules with data.salve.custom as {} with input as inp
	r.id == "exposure.existing-controller"
	contains(r.message, "canaries this change with its own background analysis (success-rate, the team's, left as it is)")
}

test_canary_with_no_steps_and_no_analysis_gets_salve_plan if {
	inp := object.union(with_slos, {"workload": {"delivery": {"strategy": "canary"}}})
	p := exposure.plan with input as inp
	[s.weight | some s in p.steps] == [25, 50]
}
