package main

import "regexp"

// goOp matches the operation prefixes that errors are wrapped with inside
// the packages ("agent.New: ", "config.Load ", "infer.NewClassifier: "),
// at the start of the message or of one of its parts.
var goOp = regexp.MustCompile(`(^|: |\n)(?:[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*:? )+`)

// userMessage is err's text without the Go call chain: the packages wrap
// errors with their operation names so that logs and tests can tell where
// an error came from; a user reading the command's output needs only what
// was wrong and what to do. This is the one place the CLI strips them.
func userMessage(err error) string {
	return goOp.ReplaceAllString(err.Error(), "$1")
}
