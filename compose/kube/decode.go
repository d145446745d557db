package kube

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
	kjson "sigs.k8s.io/json"

	"github.com/ordset/ordset/compose"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// IsManifest reports whether data's first document that holds anything is a Kubernetes
// object (has apiVersion and kind), so an ordset file and a manifest are both just files.
// Empty documents are skipped: `helm template` starts with "---" and a "# Source:" comment,
// and a template that renders nothing leaves a document with no content.
func IsManifest(data []byte) bool {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return false
		}
		if len(n.Content) == 0 || n.Content[0].ShortTag() == "!!null" {
			continue
		}
		return hasKeys(n.Content[0], "apiVersion", "kind")
	}
}

// hasKeys reports whether node is a mapping with every one of keys.
func hasKeys(node *yaml.Node, keys ...string) bool {
	if node.Kind != yaml.MappingNode {
		return false
	}
	has := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		has[node.Content[i].Value] = true
	}
	for _, k := range keys {
		if !has[k] {
			return false
		}
	}
	return true
}

// splitDocs parses every YAML document of a file into objects, expanding v1 Lists.
func splitDocs(file string, data []byte) ([]*doc, []compose.Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*doc
	var probs []compose.Problem
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, probs
		}
		if err != nil {
			return out, append(probs, syntaxProblem(file, err))
		}
		if len(n.Content) == 0 || n.Content[0].ShortTag() == "!!null" {
			continue
		}
		d, p := newDoc(file, n.Content[0])
		if p != nil {
			probs = append(probs, *p)
			continue
		}
		if d.kind == "List" || strings.HasSuffix(d.kind, "List") && d.apiVersion == "v1" {
			items, _ := locate(d.node, []string{"items"})
			if items.Kind != yaml.SequenceNode {
				probs = append(probs, d.problem("items", "a List needs items: [...]"))
				continue
			}
			for _, it := range items.Content {
				id, p := newDoc(file, it)
				if p != nil {
					probs = append(probs, *p)
					continue
				}
				out = append(out, id)
			}
			continue
		}
		out = append(out, d)
	}
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

func syntaxProblem(file string, err error) compose.Problem {
	p := compose.Problem{File: file, Message: strings.TrimPrefix(err.Error(), "yaml: ")}
	if m := yamlLineRE().FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &p.Line)
		p.Col, p.Message = 1, m[2]
	}
	return p
}

func newDoc(file string, n *yaml.Node) (*doc, *compose.Problem) {
	d := &doc{file: file, node: n}
	if n.Kind != yaml.MappingNode {
		return nil, &compose.Problem{File: file, Line: n.Line, Col: n.Column, Message: "a Kubernetes object must be a mapping with apiVersion and kind"}
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"apiVersion", &d.apiVersion}, {"kind", &d.kind}} {
		v, _ := locate(n, []string{f.key})
		if v == n || v.Kind != yaml.ScalarNode || v.Value == "" {
			return nil, &compose.Problem{File: file, Line: v.Line, Col: v.Column, Path: f.key, Message: "is required (a Kubernetes object names its apiVersion and kind)"}
		}
		*f.dst = v.Value
	}
	if v, _ := locate(n, []string{"metadata", "name"}); v.Kind == yaml.ScalarNode && v != n {
		d.name = v.Value
	}
	return d, nil
}

// decodeStrict decodes d into out as the API server would in strict mode: unknown and
// duplicate fields and wrong types are problems at their position.
func (d *doc) decodeStrict(out any) []compose.Problem {
	var v any
	if err := d.node.Decode(&v); err != nil {
		return []compose.Problem{d.problem("", "%v", err)}
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return []compose.Problem{d.problem("", "%v", err)}
	}
	strict, err := kjson.UnmarshalStrict(b, out, kjson.DisallowUnknownFields)
	var probs []compose.Problem
	for _, se := range strict {
		probs = append(probs, d.strictProblem(se))
	}
	if err != nil {
		probs = append(probs, d.typeProblem(err))
	}
	return probs
}

var unknownFieldRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^unknown field "(.*)"$`) })

func (d *doc) strictProblem(err error) compose.Problem {
	if m := unknownFieldRE().FindStringSubmatch(err.Error()); m != nil {
		return d.problemAt(m[1], true, "unknown field %q", lastSegment(m[1]))
	}
	return d.problem("", "%v", err)
}

// typeProblem places a wrong-type error. encoding/json names the field path without list
// indices, so the first element whose field has the wrong kind is taken.
func (d *doc) typeProblem(err error) compose.Problem {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		path := findTyped(d.node, strings.Split(te.Field, "."), "")
		return d.problem(path, "must be %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)
	}
	if p, ok := d.badValue(); ok {
		return p
	}
	return d.problem("", "%v", strings.TrimPrefix(err.Error(), "json: "))
}

// findTyped expands an index-less field path against the node tree to the first match.
func findTyped(n *yaml.Node, segs []string, prefix string) string {
	if len(segs) == 0 {
		return prefix
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if p := findTyped(c, segs, fmt.Sprintf("%s[%d]", prefix, i)); p != "" {
				return p
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == segs[0] {
				p := segs[0]
				if prefix != "" {
					p = prefix + "." + segs[0]
				}
				return findTyped(n.Content[i+1], segs[1:], p)
			}
		}
	}
	return ""
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice":
		return "a list"
	case k == "map", k == "struct":
		return "a mapping"
	}
	return "a " + k
}

func lastSegment(path string) string {
	segs := splitPath(path)
	if len(segs) == 0 {
		return path
	}
	return segs[len(segs)-1]
}

// jsonable converts yaml.v3's decoded values (maps with any keys) into JSON-encodable ones.
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = jsonable(x)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[fmt.Sprint(k)] = jsonable(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = jsonable(x)
		}
		return t
	}
	return v
}
