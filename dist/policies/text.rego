# salve.text: message text, built with OPA's native builtins only.
#
# `format` replaces each `%s` in order by the text of the matching argument, like sprintf with
# only `%s`, but it never leaves the policy's own evaluator: compiled to wasm, sprintf is a call
# out to the host's JavaScript with every argument serialised through JSON and back. Like
# sprintf, it is undefined when an argument is.
package salve.text

# The text of a value: a string as it is, anything else as JSON (a number as written: 2, 0.85).
str(x) := x if {
	is_string(x)
} else := json.marshal(x)

format(fmt, args) := concat("", [piece |
	some i, part in split(fmt, "%s")
	piece := concat("", [part, arg(args, i)])
])

# Past the last argument, nothing (no comparison: numbers in the wasm evaluator are slow).
arg(args, i) := str(a) if {
	a := args[i]
} else := ""

# A count in agreeing words: counted(1, "field") is "1 field", counted(2, "field") is "2 fields".
counted(n, one) := concat(" ", [str(n), one]) if {
	n == 1
} else := concat("", [str(n), " ", one, "s"])
