package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// The YAML file is decoded node by node against the Config struct, so
// that every error names the key path it is about ("cameras[0].fps") and
// its line, instead of yaml.v3's Go type names. Unknown and duplicate keys
// are errors; decoding goes on past every error so that all are reported.
// Merge keys ("<<: *anchor") work, and keys starting with "x-" are
// ignored, so that a file can hold anchors for repeated settings.

// maxNodes bounds the nodes visited, aliases included: a few aliases of
// aliases would otherwise expand exponentially.
const maxNodes = 100000

// maxErrors bounds the problems listed; a file with more is not worth
// reading further.
const maxErrors = 50

// decodeError is one problem at one key.
type decodeError struct {
	line int
	path string
	msg  string
}

func (e *decodeError) Error() string {
	if e.path == "" {
		return fmt.Sprintf("line %d: %s", e.line, e.msg)
	}
	return fmt.Sprintf("line %d: %s: %s", e.line, e.path, e.msg)
}

// walker decodes one document into a value, collecting errors.
type walker struct {
	errs  []error
	nodes int
}

func (w *walker) fail(n *yaml.Node, path, format string, args ...any) {
	switch {
	case len(w.errs) < maxErrors:
		w.errs = append(w.errs, &decodeError{line: n.Line, path: path, msg: fmt.Sprintf(format, args...)})
	case len(w.errs) == maxErrors:
		w.errs = append(w.errs, fmt.Errorf("… more than %d problems; fix these first", maxErrors))
	}
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// decode sets v (addressable) from n; path names v for errors.
func (w *walker) decode(n *yaml.Node, path string, v reflect.Value) {
	if w.nodes++; w.nodes > maxNodes {
		if w.nodes == maxNodes+1 {
			w.fail(n, path, "the file expands to more than %d values (aliases of aliases?); write it out plainly", maxNodes)
		}
		return
	}
	if n.Kind == yaml.AliasNode {
		w.decode(n.Alias, path, v)
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // "key:" with no value: the default
	}
	if v.Addr().Type().Implements(unmarshalerType) {
		if err := n.Decode(v.Addr().Interface()); err != nil {
			w.fail(n, path, "%s", unmarshalMessage(err))
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		w.decode(n, path, p.Elem())
		v.Set(p)
	case reflect.Struct:
		w.decodeStruct(n, path, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.fail(n, path, "want a list (lines starting with '- '), not %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			w.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		v.Set(s)
	default:
		w.decodeScalar(n, path, v)
	}
}

func (w *walker) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want a mapping (key: value lines), not %s", describe(n))
		return
	}
	fields := yamlFields(v.Type())
	// Merge keys ("<<: *defaults") first: the mapping's own keys win.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			w.merge(n.Content[i+1], path, v)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			continue
		}
		key := k.Value
		where := key
		if path != "" {
			where = path + "." + key
		}
		if k.Kind != yaml.ScalarNode {
			w.fail(k, path, "a key must be a plain word, not %s", describe(k))
			continue
		}
		if line, dup := seen[key]; dup {
			w.fail(k, where, "given twice (also on line %d); keep one", line)
			continue
		}
		seen[key] = k.Line
		if strings.HasPrefix(key, "x-") {
			continue // an extension key: holds YAML anchors, read by no one
		}
		idx, ok := fields[key]
		if !ok {
			w.fail(k, where, "unknown key; check its spelling against docs/config.md")
			continue
		}
		w.decode(val, where, v.Field(idx))
	}
}

// merge decodes the value of a "<<" key: a mapping, an alias of one, or
// a list of them.
func (w *walker) merge(n *yaml.Node, path string, v reflect.Value) {
	if w.nodes++; w.nodes > maxNodes {
		return
	}
	switch {
	case n.Kind == yaml.AliasNode:
		w.merge(n.Alias, path, v)
	case n.Kind == yaml.SequenceNode:
		for _, m := range n.Content {
			w.merge(m, path, v)
		}
	default:
		w.decodeStruct(n, path, v)
	}
}

func (w *walker) decodeScalar(n *yaml.Node, path string, v reflect.Value) {
	want := map[reflect.Kind]string{
		reflect.String: "a string", reflect.Bool: "true or false", reflect.Float64: "a number",
		reflect.Int: "a whole number", reflect.Int64: "a whole number",
	}[v.Kind()]
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "want %s, not %s", want, describe(n))
		return
	}
	// yaml.v3 would truncate 3.5 into an int and read "yes" as a string
	// for a bool; only the matching YAML types are accepted.
	tag := n.ShortTag()
	okTag := map[reflect.Kind]bool{
		reflect.Int: tag == "!!int", reflect.Int64: tag == "!!int", reflect.Bool: tag == "!!bool",
		reflect.Float64: tag == "!!int" || tag == "!!float", reflect.String: true,
	}[v.Kind()]
	p := reflect.New(v.Type())
	if err := n.Decode(p.Interface()); err != nil || !okTag {
		w.fail(n, path, "%q is not %s", n.Value, want)
		return
	}
	v.Set(p.Elem())
}

// yamlFields maps the yaml keys of struct type t to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m
}

// describe names what a node holds, for "want X, not Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return fmt.Sprintf("%q", n.Value)
}

// unmarshalMessage is the message of a custom type's UnmarshalYAML
// error: yaml.v3 passes it through, or wraps it in a TypeError.
func unmarshalMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return strings.Join(te.Errors, "; ")
	}
	return err.Error()
}
