# salve.admission: which action is admissible where and when.
#
# Reads: input.action.{id,family}, input.namespace.{name,labels}, input.environment.tier,
# input.incident.risk.{score,type}, input.release.{ageSeconds,age}, input.time.{businessHours,local,businessWindow,freeze},
# input.settings.{protectedNamespaces,riskThreshold,rollbackMaxReleaseAgeSeconds,rollbackMaxReleaseAge}.
# Every rule reports itself as {id, effect, message} in `rules`.
package salve.admission

import data.salve.text

# The tier a namespace label pins, else the environment's tier.
tier := input.namespace.labels["salve.dev/tier"] if {
	input.namespace.labels["salve.dev/tier"] != ""
} else := input.environment.tier

pci if tier == "pci"

pci if input.environment.tier == "pci"

production if tier == "production"

production if input.environment.tier == "production"

resource_risk_types := {"resource-pressure", "scaling"}

rollback_min_risk := 0.7

rules contains {
	"id": "admission.protected-namespace",
	"effect": "deny",
	"message": text.format("namespace %s is protected (settings.protectedNamespaces)", [input.namespace.name]),
} if {
	input.namespace.name in input.settings.protectedNamespaces
}

rules contains {
	"id": "admission.safety-lock",
	"effect": "deny",
	"message": text.format("namespace %s carries the label salve.dev/safety-lock=true", [input.namespace.name]),
} if {
	input.namespace.labels["salve.dev/safety-lock"] == "true"
}

rules contains {
	"id": "admission.change-freeze",
	"effect": "deny",
	"message": text.format("change freeze %s is active", [object.get(input.time.freeze, "name", "(unnamed)")]),
} if {
	input.time.freeze.active == true
}

rules contains {
	"id": "admission.pci-workload",
	"effect": "deny",
	"message": text.format("tier pci forbids automated workload actions (%s)", [input.action.id]),
} if {
	pci
	input.action.family == "workload"
	input.action.id != "revert-remediation"
}

# Reverting salve's own harmful change puts back what ran before it: in pci it is proposed, and a
# human merges it.
rules contains {
	"id": "admission.pci-revert",
	"effect": "require-approval",
	"message": text.format("tier pci: a human merges the revert of #%s", [object.get(input.action.params, "pull", "?")]),
} if {
	pci
	input.action.id == "revert-remediation"
}

# A revert answers one thing only: a merged salve change its follow-up found harmful.
rules contains {
	"id": "admission.revert-not-harmful",
	"effect": "deny",
	"message": text.format("revert-remediation reverts only a change whose follow-up was harmful (outcome: %s)", [object.get(input.action.params, "outcome", "none")]),
} if {
	input.action.id == "revert-remediation"
	object.get(input.action.params, "outcome", "") != "harmful"
}

rules contains {
	"id": "admission.risk-below-threshold",
	"effect": "advisory",
	"message": text.format("risk %s is below the threshold %s: observe only", [input.incident.risk.score, input.settings.riskThreshold]),
} if {
	input.incident.risk.score < input.settings.riskThreshold
}

# Out of hours a production change waits for a human: the PR is opened (so whoever is on call
# finds a ready, explained fix) but never merges by itself. The trust ladder can still say observe.
# The one exception is the revert of salve's own harmful change where .salve.yaml automates it:
# waiting for business hours would keep the harm.
rules contains {
	"id": "admission.out-of-hours",
	"effect": "require-approval",
	"message": text.format("out of business hours: needs a human (%s; business hours %s)", [object.get(input.time, "local", text.format("hour %s", [input.time.hour])), object.get(input.time, "businessWindow", "not given")]),
} if {
	input.time.businessHours == false
	production
	not data.salve.merge.revert_automated
}

# Durations in messages as people write them: the release age humanised (`3d`), the limit as
# .salve.yaml wrote it (`2h`); seconds only for inputs made before these fields existed.
release_age := input.release.age if {
	is_string(input.release.age)
} else := text.format("%ss", [input.release.ageSeconds])

max_release_age := input.settings.rollbackMaxReleaseAge if {
	is_string(input.settings.rollbackMaxReleaseAge)
} else := text.format("%ss", [input.settings.rollbackMaxReleaseAgeSeconds])

# Rollback: only shortly after the release it undoes, and only for a high risk.
rules contains {
	"id": "admission.rollback-release-age",
	"effect": "deny",
	"message": "rollback needs a known release age: none was found",
} if {
	input.action.id == "rollback-image"
	input.release.ageSeconds == null
}

rules contains {
	"id": "admission.rollback-release-age",
	"effect": "deny",
	"message": text.format("rollback undoes a release %s old, not below the limit of %s (policy.rollbackMaxReleaseAge)", [release_age, max_release_age]),
} if {
	input.action.id == "rollback-image"
	is_number(input.release.ageSeconds)
	input.release.ageSeconds >= input.settings.rollbackMaxReleaseAgeSeconds
}

rules contains {
	"id": "admission.rollback-risk",
	"effect": "deny",
	"message": text.format("rollback needs risk >= %s, got %s", [rollback_min_risk, input.incident.risk.score]),
} if {
	input.action.id == "rollback-image"
	input.incident.risk.score < rollback_min_risk
}

rules contains {
	"id": "admission.rollback-recent-release",
	"effect": "allow",
	"message": text.format("rollback of a release younger than the limit of %s (policy.rollbackMaxReleaseAge) at risk %s >= %s", [max_release_age, input.incident.risk.score, rollback_min_risk]),
} if {
	input.action.id == "rollback-image"
	is_number(input.release.ageSeconds)
	input.release.ageSeconds < input.settings.rollbackMaxReleaseAgeSeconds
	input.incident.risk.score >= rollback_min_risk
}

# A rollback undoes what git renders; when no signal said the failing pods run that image, a
# human confirms it (the engine reports drift, and proposes no rollback, when they run another).
rules contains {
	"id": "admission.rollback-image-unconfirmed",
	"effect": "require-approval",
	"message": text.format("no signal says which image the failing pods of %s run: a reviewer confirms it is the one git renders before %s is restored", [input.target.name, input.action.params.toTag]),
} if {
	input.action.id == "rollback-image"
	not is_string(object.get(input.action.params, "failingImage", null))
}

rules contains {
	"id": "admission.rollback-image-confirmed",
	"effect": "allow",
	"message": text.format("the failing pods run %s, the image git renders", [input.action.params.failingImage]),
} if {
	input.action.id == "rollback-image"
	is_string(object.get(input.action.params, "failingImage", null))
}

# Resource actions answer resource pressure or scaling, nothing else.
rules contains {
	"id": "admission.resource-risk-type",
	"effect": "deny",
	"message": text.format("resource action %s does not answer risk type %s (needs resource-pressure or scaling)", [input.action.id, input.incident.risk.type]),
} if {
	input.action.family == "resources"
	not input.incident.risk.type in resource_risk_types
}

rules contains {
	"id": "admission.resource-pressure-tune",
	"effect": "allow",
	"message": text.format("resource action %s answers risk type %s", [input.action.id, input.incident.risk.type]),
} if {
	input.action.family == "resources"
	input.incident.risk.type in resource_risk_types
}

rules contains {
	"id": "admission.namespace-open",
	"effect": "allow",
	"message": text.format("namespace %s is neither protected nor safety-locked, and no freeze is active", [input.namespace.name]),
} if {
	not input.namespace.name in input.settings.protectedNamespaces
	not input.namespace.labels["salve.dev/safety-lock"] == "true"
	not input.time.freeze.active == true
}
