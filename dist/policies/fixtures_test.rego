# Shared test input: a memory raise 256Mi → 384Mi on a staging Deployment (mirrors engine/policy/fixtures.ts).
package salve.fixtures_test

mi := 1048576

base := {
	"version": "salve.dev/policy-input/v1",
	"action": {
		"id": "raise-memory-limit",
		"family": "resources",
		"disruption": 1,
		"params": {"container": "podinfo", "from": "256Mi", "to": "384Mi", "fromBytes": 256 * mi, "toBytes": 384 * mi},
	},
	"target": {"cluster": "in-cluster", "namespace": "podinfo", "kind": "Deployment", "name": "podinfo", "container": "podinfo"},
	"environment": {"name": "staging", "tier": "staging"},
	"namespace": {"name": "podinfo", "labels": {}},
	"incident": {
		"fingerprint": "f",
		"kinds": ["OOMKilled"],
		"occurrences": 3,
		"risk": {"score": 0.85, "confidence": 0.9, "type": "resource-pressure"},
	},
	"change": {
		"fields": [memory_field("limits", "256Mi", "384Mi")],
		"objects": [],
	},
	"release": {"ageSeconds": null},
	"time": {"now": "2025-03-04T10:30:00Z", "weekday": 2, "hour": 10, "businessHours": true, "freeze": {"active": false}},
	"settings": {
		"trust": [
			{"environment": "staging", "action": "*", "mode": "automate"},
			{"environment": "dev*", "action": "*", "mode": "automate"},
		],
		"defaultMode": "approve",
		"confidenceThreshold": 0.8,
		"riskThreshold": 0.4,
		"protectedNamespaces": ["kube-system", "kube-public", "argocd"],
		"sensitiveKinds": ["StatefulSet", "DaemonSet", "Node"],
		"bounds": {
			"memoryMaxFactor": 2,
			"memoryCapBytes": 8192 * mi,
			"cpuMaxFactor": 2,
			"cpuCapMillis": 4000,
			"replicasMaxFactor": 2,
			"replicasCap": 50,
		},
		"rollbackMaxReleaseAgeSeconds": 7200,
	},
}

memory_field(kind, before, after) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"namespace": "podinfo",
	"name": "podinfo",
	"path": sprintf("/spec/template/spec/containers[name=podinfo]/resources/%s/memory", [kind]),
	"before": before,
	"after": after,
}

# base with `patch` merged in (objects merge recursively, everything else replaces).
with_(patch) := object.union(base, patch)

production := with_({"environment": {"name": "production", "tier": "production"}})

rollback := with_({
	"action": {
		"id": "rollback-image",
		"family": "workload",
		"disruption": 2,
		"params": {"container": "podinfo", "image": "ghcr.io/stefanprodan/podinfo", "fromTag": "6.5.0", "toTag": "6.4.1"},
	},
	"change": {"fields": [{
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"namespace": "podinfo",
		"name": "podinfo",
		"path": "/spec/template/spec/containers[name=podinfo]/image",
		"before": "ghcr.io/stefanprodan/podinfo:6.5.0",
		"after": "ghcr.io/stefanprodan/podinfo:6.4.1",
	}]},
	"release": {"ageSeconds": 1800},
	"incident": {"risk": {"score": 0.9, "confidence": 0.9, "type": "crash-loop"}},
})

cpu := with_({
	"action": {
		"id": "raise-cpu-limit",
		"family": "resources",
		"disruption": 1,
		"params": {"container": "podinfo", "from": "500m", "to": "750m", "fromMillis": 500, "toMillis": 750},
	},
	"change": {"fields": [object.union(memory_field("limits", "500m", "750m"), {"path": "/spec/template/spec/containers[name=podinfo]/resources/limits/cpu"})]},
})

hpa := with_({
	"action": {"id": "raise-hpa-max-replicas", "family": "resources", "disruption": 1, "params": {"from": 4, "to": 6}},
	"target": {"kind": "HorizontalPodAutoscaler"},
	"incident": {"risk": {"type": "scaling"}},
	"change": {"fields": [{
		"apiVersion": "autoscaling/v2",
		"kind": "HorizontalPodAutoscaler",
		"namespace": "podinfo",
		"name": "podinfo",
		"path": "/spec/maxReplicas",
		"before": 4,
		"after": 6,
	}]},
})

ids(rules) := {r.id | some r in rules}

fired(rules, id, effect) if {
	some r in rules
	r.id == id
	r.effect == effect
}
