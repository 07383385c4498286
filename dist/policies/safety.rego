# salve.safety: bounds on every action parameter, and the blast radius of the rendered change.
#
# Action params contract (the engine's action plugins produce these):
#   raise-memory-limit      {container, from, to, fromBytes, toBytes}   from/to as written ("256Mi"), bytes as numbers
#   raise-cpu-limit         {container, from, to, fromMillis, toMillis} from/to as written ("500m"), millicores as numbers
#   raise-hpa-max-replicas  {from, to}                                  integers (spec.maxReplicas before and after)
#   rollback-image          {container, image, fromTag, toTag}          image without tag; the tag now and the tag restored
#                           (+ failingImage when a signal named the image that fails)
#   adopt-argo-rollouts     {deployment}                                 no field of its own: the change is its exposure
#   (container actions add containerList: "initContainers" when the container is an init container)
#
# Reads: input.action.{id,params}, input.change.{fields,objects}, input.settings.bounds.
package salve.safety

import data.salve.text

import data.salve.admission

bounds := input.settings.bounds

params := input.action.params

known_actions := {"raise-memory-limit", "raise-cpu-limit", "raise-hpa-max-replicas", "rollback-image", "adopt-argo-rollouts", "revert-remediation"}

# Most fields one change may touch, whatever the action.
max_fields := 4

# An init container's fields are under initContainers (params.containerList says so).
container_list := object.get(params, "containerList", "containers")

# As text.format("/spec/template/spec/%s[name=%s]/%s", ...) would say it, without parsing the format.
container_path(suffix) := concat("", ["/spec/template/spec/", text.str(container_list), "[name=", text.str(params.container), "]/", suffix])

# The fields each action may change (its declared family of fields).
allowed_paths := {container_path("resources/limits/memory"), container_path("resources/requests/memory")} if {
	input.action.id == "raise-memory-limit"
} else := {container_path("resources/limits/cpu"), container_path("resources/requests/cpu")} if {
	input.action.id == "raise-cpu-limit"
} else := {"/spec/maxReplicas"} if {
	input.action.id == "raise-hpa-max-replicas"
} else := {container_path("image")} if {
	input.action.id == "rollback-image"
} else := {f.path | some f in input.action.params.inverse.fields} if {
	# A revert changes back exactly the fields the change it reverts changed.
	input.action.id == "revert-remediation"
} else := set()

gib := 1073741824

mib := 1048576

human_bytes(b) := text.format("%sGi", [floor(b / gib)]) if {
	b % gib == 0
} else := text.format("%sMi", [floor(b / mib)]) if {
	b % mib == 0
} else := text.format("%s", [b])

# A raise is checked by three bounds: it raises, it stays within factor x before, it stays under the cap.
invalid_raise(from, to) if not is_number(from)

invalid_raise(from, to) if not is_number(to)

invalid_raise(from, to) if {
	is_number(from)
	from <= 0
}

# ---- memory ----------------------------------------------------------------------------------

rules contains {
	"id": "safety.memory-params",
	"effect": "deny",
	"message": "raise-memory-limit needs numeric params fromBytes > 0 and toBytes",
} if {
	input.action.id == "raise-memory-limit"
	invalid_raise(object.get(params, "fromBytes", null), object.get(params, "toBytes", null))
}

rules contains {
	"id": "safety.memory-not-raise",
	"effect": "deny",
	"message": text.format("memory %s → %s is not a raise", [params.from, params.to]),
} if {
	input.action.id == "raise-memory-limit"
	params.toBytes <= params.fromBytes
}

rules contains {
	"id": "safety.memory-over-factor",
	"effect": "deny",
	"message": text.format("memory %s → %s exceeds %sx the current limit", [params.from, params.to, bounds.memoryMaxFactor]),
} if {
	input.action.id == "raise-memory-limit"
	params.toBytes > params.fromBytes * bounds.memoryMaxFactor
}

rules contains {
	"id": "safety.memory-over-cap",
	"effect": "deny",
	"message": text.format("memory %s → %s exceeds the %s cap", [params.from, params.to, human_bytes(bounds.memoryCapBytes)]),
} if {
	input.action.id == "raise-memory-limit"
	params.toBytes > bounds.memoryCapBytes
}

rules contains {
	"id": "safety.memory-within-bounds",
	"effect": "allow",
	"message": text.format("memory %s → %s within %sx and %s cap", [params.from, params.to, bounds.memoryMaxFactor, human_bytes(bounds.memoryCapBytes)]),
} if {
	input.action.id == "raise-memory-limit"
	not invalid_raise(object.get(params, "fromBytes", null), object.get(params, "toBytes", null))
	params.toBytes > params.fromBytes
	params.toBytes <= params.fromBytes * bounds.memoryMaxFactor
	params.toBytes <= bounds.memoryCapBytes
}

# ---- cpu -------------------------------------------------------------------------------------

rules contains {
	"id": "safety.cpu-params",
	"effect": "deny",
	"message": "raise-cpu-limit needs numeric params fromMillis > 0 and toMillis",
} if {
	input.action.id == "raise-cpu-limit"
	invalid_raise(object.get(params, "fromMillis", null), object.get(params, "toMillis", null))
}

rules contains {
	"id": "safety.cpu-not-raise",
	"effect": "deny",
	"message": text.format("cpu %s → %s is not a raise", [params.from, params.to]),
} if {
	input.action.id == "raise-cpu-limit"
	params.toMillis <= params.fromMillis
}

rules contains {
	"id": "safety.cpu-over-factor",
	"effect": "deny",
	"message": text.format("cpu %s → %s exceeds %sx the current limit", [params.from, params.to, bounds.cpuMaxFactor]),
} if {
	input.action.id == "raise-cpu-limit"
	params.toMillis > params.fromMillis * bounds.cpuMaxFactor
}

rules contains {
	"id": "safety.cpu-over-cap",
	"effect": "deny",
	"message": text.format("cpu %s → %s exceeds the %sm cap", [params.from, params.to, bounds.cpuCapMillis]),
} if {
	input.action.id == "raise-cpu-limit"
	params.toMillis > bounds.cpuCapMillis
}

rules contains {
	"id": "safety.cpu-within-bounds",
	"effect": "allow",
	"message": text.format("cpu %s → %s within %sx and %sm cap", [params.from, params.to, bounds.cpuMaxFactor, bounds.cpuCapMillis]),
} if {
	input.action.id == "raise-cpu-limit"
	not invalid_raise(object.get(params, "fromMillis", null), object.get(params, "toMillis", null))
	params.toMillis > params.fromMillis
	params.toMillis <= params.fromMillis * bounds.cpuMaxFactor
	params.toMillis <= bounds.cpuCapMillis
}

# ---- HPA max replicas ------------------------------------------------------------------------

rules contains {
	"id": "safety.replicas-params",
	"effect": "deny",
	"message": "raise-hpa-max-replicas needs numeric params from > 0 and to",
} if {
	input.action.id == "raise-hpa-max-replicas"
	invalid_raise(object.get(params, "from", null), object.get(params, "to", null))
}

rules contains {
	"id": "safety.replicas-not-raise",
	"effect": "deny",
	"message": text.format("maxReplicas %s → %s is not a raise", [params.from, params.to]),
} if {
	input.action.id == "raise-hpa-max-replicas"
	params.to <= params.from
}

rules contains {
	"id": "safety.replicas-over-factor",
	"effect": "deny",
	"message": text.format("maxReplicas %s → %s exceeds %sx the current maximum", [params.from, params.to, bounds.replicasMaxFactor]),
} if {
	input.action.id == "raise-hpa-max-replicas"
	params.to > params.from * bounds.replicasMaxFactor
}

rules contains {
	"id": "safety.replicas-over-cap",
	"effect": "deny",
	"message": text.format("maxReplicas %s → %s exceeds the cap of %s", [params.from, params.to, bounds.replicasCap]),
} if {
	input.action.id == "raise-hpa-max-replicas"
	params.to > bounds.replicasCap
}

rules contains {
	"id": "safety.replicas-within-bounds",
	"effect": "allow",
	"message": text.format("maxReplicas %s → %s within %sx and cap %s", [params.from, params.to, bounds.replicasMaxFactor, bounds.replicasCap]),
} if {
	input.action.id == "raise-hpa-max-replicas"
	not invalid_raise(object.get(params, "from", null), object.get(params, "to", null))
	params.to > params.from
	params.to <= params.from * bounds.replicasMaxFactor
	params.to <= bounds.replicasCap
}

# ---- rollback --------------------------------------------------------------------------------

rules contains {
	"id": "safety.rollback-params",
	"effect": "deny",
	"message": "rollback-image needs string params container, image, fromTag and toTag",
} if {
	input.action.id == "rollback-image"
	some key in ["container", "image", "fromTag", "toTag"]
	not non_empty_string(object.get(params, key, null))
}

rules contains {
	"id": "safety.rollback-same-tag",
	"effect": "deny",
	"message": text.format("rollback of %s restores the tag it already runs (%s)", [params.image, params.toTag]),
} if {
	input.action.id == "rollback-image"
	params.toTag == params.fromTag
}

rules contains {
	"id": "safety.rollback-image",
	"effect": "allow",
	"message": text.format("rollback of %s from %s to %s changes the image only", [params.image, params.fromTag, params.toTag]),
} if {
	input.action.id == "rollback-image"
	every key in ["container", "image", "fromTag", "toTag"] {
		non_empty_string(object.get(params, key, null))
	}
	params.toTag != params.fromTag
}

non_empty_string(s) if {
	is_string(s)
	s != ""
}

# ---- adopting Argo Rollouts -----------------------------------------------------------------

# The adoption's whole change is its exposure (the takeover Rollout, held to the plan by
# salve.exposure); of its own it may change no field at all, so no pod restarts because of it.
rules contains {
	"id": "safety.adoption-template-unchanged",
	"effect": "allow",
	"message": "adopting Argo Rollouts changes no field of the workload: its pods keep running as they are",
} if {
	input.action.id == "adopt-argo-rollouts"
	count(input.change.fields) == 0
}

# ---- actions without declared bounds ---------------------------------------------------------

rules contains {
	"id": "safety.unbounded-action",
	"effect": "require-approval",
	"message": text.format("action %s has no declared parameter bounds: a human reviews it", [input.action.id]),
} if {
	not input.action.id in known_actions
}

# ---- revert: exactly the inverse of the reverted change ---------------------------------------

field_key(f) := [f.kind, object.get(f, "namespace", ""), f.name, f.path, object.get(f, "after", null)]

object_change_key(o) := [o.op, o.kind, object.get(o, "namespace", ""), o.name]

revert_declared := {field_key(f) | some f in input.action.params.inverse.fields} | {object_change_key(o) | some o in input.action.params.inverse.objects}

revert_rendered := {field_key(f) | some f in input.change.fields} | {object_change_key(o) | some o in input.change.objects}

rules contains {
	"id": "safety.revert-inverse",
	"effect": "deny",
	"message": text.format("the revert of #%s renders %s that are not the inverse of the merged change, and misses %s of it", [input.action.params.pull, text.counted(count(revert_rendered - revert_declared), "change"), count(revert_declared - revert_rendered)]),
} if {
	input.action.id == "revert-remediation"
	revert_rendered != revert_declared
}

# A revert that renders exactly the inverse of a merged change undoes what policy admitted then,
# canary steps included (a canaried fix's exposure is part of its change): its size is that change's.
exact_revert if {
	input.action.id == "revert-remediation"
	revert_rendered == revert_declared
}

rules contains {
	"id": "safety.revert-inverse",
	"effect": "allow",
	"message": text.format("the revert of #%s renders exactly the inverse of the merged change (%s, %s)", [input.action.params.pull, text.counted(count(input.change.fields), "field"), text.counted(count(input.change.objects), "object")]),
} if {
	input.action.id == "revert-remediation"
	revert_rendered == revert_declared
}

# ---- blast radius ----------------------------------------------------------------------------

object_key(f) := concat("/", [text.str(f.kind), text.str(object.get(f, "namespace", "")), text.str(f.name)])

touched_objects := {object_key(f) | some f in input.change.fields}

rules contains {
	"id": "safety.blast-radius-objects",
	"effect": "deny",
	"message": text.format("the change touches %s objects (%s), at most 1 allowed", [count(touched_objects), concat(", ", sort(touched_objects))]),
} if {
	count(touched_objects) > 1
}

rules contains {
	"id": "safety.blast-radius-fields",
	"effect": "deny",
	"message": text.format("the change touches %s fields, at most %s allowed", [count(input.change.fields), max_fields]),
} if {
	count(input.change.fields) > max_fields
	not exact_revert
}

rules contains {
	"id": "safety.field-outside-family",
	"effect": "deny",
	"message": text.format("%s changes %s %s, outside the fields it declares", [input.action.id, object_key(f), f.path]),
} if {
	input.action.id in known_actions
	some f in input.change.fields
	not f.path in allowed_paths
}

rules contains {
	"id": "safety.object-removed",
	"effect": "require-approval",
	"message": text.format("the change removes %s %s", [o.kind, o.name]),
} if {
	some o in input.change.objects
	o.op == "remove"
}

rules contains {
	"id": "safety.blast-radius",
	"effect": "allow",
	"message": text.format("the change touches %s of %s", [text.counted(count(input.change.fields), "field"), text.counted(count(touched_objects), "object")]),
} if {
	count(touched_objects) <= 1
	count(input.change.fields) <= max_fields
	every f in input.change.fields {
		f.path in allowed_paths
	}
}

# ---- the only pod ----------------------------------------------------------------------------

# In production, a change to the pod template of a workload that runs one pod is an outage while
# the new pod starts (a database's, for a single-replica StatefulSet). Elsewhere a single replica
# is the usual shape of a test environment, and StatefulSets already need a human (sensitive kind).

# Replicas that keep serving while one pod restarts: the autoscaler's floor when one scales the
# workload, else spec.replicas (unset means 1).
running_replicas := input.workload.autoscaler.minReplicas if {
	is_number(input.workload.autoscaler.minReplicas)
} else := 1 if {
	input.workload.autoscaler != null
} else := input.workload.replicas if {
	is_number(input.workload.replicas)
} else := 1 if input.workload

restarts_pods if {
	some f in input.change.fields
	startswith(f.path, "/spec/template/")
}

# A blue/green Argo Rollout brings the new pods up beside the active ones and switches the active
# Service to them only once they are ready: its one pod keeps serving while the new one starts.
beside_the_active if {
	input.workload.delivery.controller == "argo-rollouts"
	input.workload.delivery.strategy == "blueGreen"
}

rules contains {
	"id": "safety.single-replica-restart",
	"effect": "require-approval",
	"message": text.format("the change restarts the only pod of %s %s/%s (%s): it serves nothing until the new pod is ready, an outage for everything that calls it; a human picks the moment", [input.workload.kind, input.target.namespace, input.workload.name, replicas_text]),
} if {
	admission.production
	input.workload.kind in {"StatefulSet", "Deployment", "Rollout"}
	running_replicas == 1
	restarts_pods
	not beside_the_active
}

replicas_text := text.format("autoscaler %s keeps at least 1", [input.workload.autoscaler.name]) if {
	input.workload.autoscaler != null
} else := "replicas: 1" if {
	input.workload.replicas == 1
} else := "replicas unset, so 1"
