# salve.main: the one decision salve acts on, combining admission, merge, safety and exposure.
#
#   rules   = every rule that fired in admission, merge, safety and exposure, and in a config repo's own packages
#             named salve.custom.<name> that define `rules` the same way
#   allowed = no rule denies
#   mode    = observe  when not allowed, when any rule is advisory, or when the trust ladder says observe
#             approve  when the trust ladder says approve or any rule requires approval
#             automate otherwise (only the trust ladder can grant it)
package salve.main

custom_rules contains r if {
	some r in data.salve.custom[_].rules
}

rules := (((data.salve.admission.rules | data.salve.merge.rules) | data.salve.safety.rules) | data.salve.exposure.rules) | custom_rules

effects := {r.effect | some r in rules}

default allowed := false

allowed if not "deny" in effects

mode := "observe" if {
	not allowed
} else := "observe" if {
	data.salve.merge.base_mode == "observe"
} else := "observe" if {
	"advisory" in effects
} else := "approve" if {
	data.salve.merge.base_mode == "approve"
} else := "approve" if {
	"require-approval" in effects
} else := data.salve.merge.base_mode

decision := {"allowed": allowed, "mode": mode, "rules": rules}
