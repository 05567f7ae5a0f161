# skips.awk reads `go test -v` output and prints one line: how many tests
# were skipped, grouped by the reason their t.Skip gave ("test assets not
# found", "mosquitto is not installed"…). go test -v prints a test's log
# lines, the skip message last, before its "--- SKIP" line. Helper
# processes that skip unless re-executed are not counted. Used by
# `make test`.
/^ +[^ ]+\.go:[0-9]+: / { last = $0; next }
/^=== / { last = ""; next }
/^ *--- SKIP: / {
	msg = last
	last = ""
	sub(/^ *[^ ]+\.go:[0-9]+: /, "", msg)
	sub(/^skipping:? /, "", msg)
	split(msg, part, / \(|; |: /)
	reason = part[1]
	if (reason == "") reason = "no reason given"
	if (reason ~ /^helper process/) next
	n[reason]++
	total++
}
END {
	if (!total) { print "skipped: none"; exit }
	line = "skipped " total " test(s):"
	sep = " "
	for (r in n) { line = line sep n[r] " × " r; sep = "; " }
	print line
}
