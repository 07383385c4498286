package salve.text_test

import data.salve.text

test_format_fills_each_placeholder_in_order if {
	text.format("memory %s → %s within %sx", ["256Mi", "384Mi", 2]) == "memory 256Mi → 384Mi within 2x"
	text.format("%s%s", ["a", "b"]) == "ab"
	text.format("no placeholder", []) == "no placeholder"
}

test_format_writes_numbers_and_other_values_as_json if {
	text.format("risk %s, interval %s, ok %s", [0.85, [0.1, 0.2], true]) == "risk 0.85, interval [0.1,0.2], ok true"
	text.format("%s%%", [25]) == "25%%"
}

test_format_leaves_missing_arguments_empty if {
	text.format("a %s b %s", ["x"]) == "a x b "
}

test_format_is_undefined_with_an_undefined_argument if {
	not formats_a_missing_value with input as {}
}

formats_a_missing_value if text.format("%s", [input.missing])

test_counted_agrees_with_its_number if {
	text.counted(1, "field") == "1 field"
	text.counted(0, "field") == "0 fields"
	text.counted(3, "effective follow-up") == "3 effective follow-ups"
}
