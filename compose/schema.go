package compose

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// pos is a 1-based line:col in the ordset file (or in file, when a project was built from
// several files).
type pos struct {
	line, col int
	file      string
}

// walkBudget bounds how many nodes one load may visit, so alias bombs
// ("billion laughs") fail fast instead of eating memory.
const walkBudget = 200000

// walker checks the yaml.Node tree against the Go types before decoding:
// unknown and duplicate keys, wrong kinds, and ${VAR} interpolation, each
// reported at its own line:col with its field path. yaml.v3 can only do
// strict decoding from a byte stream, and then positions of interpolated
// values would be lost; walking the tree once gives both.
type walker struct {
	file   string
	lookup Lookup
	probs  []Problem
	values map[string]pos // field path -> position of its value node
	keys   map[string]pos // field path -> position of its key node
	done   map[*yaml.Node]bool
	budget int
	tooBig bool // budget or depth exceeded: the walk is incomplete
}

func newWalker(file string, lookup Lookup) *walker {
	return &walker{
		file: file, lookup: lookup,
		values: map[string]pos{}, keys: map[string]pos{},
		done: map[*yaml.Node]bool{}, budget: walkBudget,
	}
}

var (
	envListType = reflect.TypeOf(EnvList{})
	portRefType = reflect.TypeOf(PortRef{})
)

func nodePos(n *yaml.Node) pos { return pos{line: n.Line, col: n.Column} }

func (w *walker) problem(n *yaml.Node, path, format string, args ...any) {
	p := Problem{File: w.file, Path: path, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		p.Line, p.Col = n.Line, n.Column
	}
	w.probs = append(w.probs, p)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// walk visits n as a value of Go type t at field path path.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string, depth int) {
	w.budget--
	if w.budget <= 0 || depth > 100 {
		w.tooBig = true
		return
	}
	for n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		n = n.Alias
	}
	if _, ok := w.values[path]; !ok {
		w.values[path] = nodePos(n)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode {
		if w.interpolate(n, path) {
			retag(n, t)
		}
		if n.ShortTag() == "!!null" {
			return
		}
	}
	switch {
	case t == envListType:
		w.walkEnv(n, path, depth)
		return
	case t == portRefType:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != "!!int" && n.ShortTag() != "!!str") {
			w.problem(n, path, "must be a port number or a port name, got %s", describe(n))
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		w.walkStruct(n, t, path, depth)
	case reflect.Slice:
		w.walkSlice(n, t, path, depth)
	case reflect.Map:
		w.walkMap(n, t, path, depth)
	default:
		w.checkScalar(n, t, path)
	}
}

// walkSlice walks each item of a list at path[i], so problems inside items name their index.
func (w *walker) walkSlice(n *yaml.Node, t reflect.Type, path string, depth int) {
	if n.Kind != yaml.SequenceNode {
		w.problem(n, path, "must be a list, got %s", describe(n))
		return
	}
	for i, c := range n.Content {
		w.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
}

// walkMap walks each value of a mapping at path.key, recording where the key was written so
// later checks can point at it.
func (w *walker) walkMap(n *yaml.Node, t reflect.Type, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		w.problem(n, path, "must be a mapping, got %s", describe(n))
		return
	}
	for _, kv := range w.pairs(n, path, depth) {
		p := joinPath(path, kv.key.Value)
		w.keys[p] = nodePos(kv.key)
		w.walk(kv.val, t.Elem(), p, depth+1)
	}
}

// checkScalar reports a leaf that yaml would not decode into t (string, integer or bool), here
// rather than at decode time so the problem keeps its line:col and field path.
func (w *walker) checkScalar(n *yaml.Node, t reflect.Type, path string) {
	switch t.Kind() {
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			w.problem(n, path, "must be a string, got %s", describe(n))
		}
	case reflect.Int, reflect.Int64:
		var v int64
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
			w.problem(n, path, "must be an integer, got %s", describe(n))
		}
	case reflect.Bool:
		var v bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
			w.problem(n, path, "must be true or false, got %s", describe(n))
		}
	}
}

// interpolate expands ${VAR} in a scalar once (aliases share nodes) and
// reports whether the value changed.
func (w *walker) interpolate(n *yaml.Node, path string) bool {
	if w.done[n] || w.lookup == nil {
		return false
	}
	w.done[n] = true
	v, err := Interpolate(n.Value, w.lookup)
	if err != nil {
		w.problem(n, path, "%v", err)
		return false
	}
	if v == n.Value {
		return false
	}
	n.Value = v
	return true
}

// retag types an interpolated scalar by its destination rather than by how
// it was written: string fields stay strings whatever the value ("true",
// "null", "007"), and number or boolean fields re-resolve the text even when
// quoted, since "${PORT}" must be quoted inside a flow mapping.
func retag(n *yaml.Node, t reflect.Type) {
	switch {
	case t.Kind() == reflect.String:
		n.Tag = "!!str"
	case t == portRefType, t.Kind() == reflect.Int, t.Kind() == reflect.Int64, t.Kind() == reflect.Bool:
		n.Tag, n.Style = "", 0
	default:
		if n.Style&yaml.TaggedStyle == 0 {
			n.Tag = ""
		}
	}
}

type pair struct{ key, val *yaml.Node }

// pairs returns a mapping's entries with << merge keys expanded (explicit keys
// win), reporting duplicate and non-string keys.
func (w *walker) pairs(n *yaml.Node, path string, depth int) []pair {
	var out []pair
	seen := map[string]*yaml.Node{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			w.problem(k, path, "keys must be strings, got %s", describe(k))
			continue
		}
		if first, ok := seen[k.Value]; ok {
			w.problem(k, joinPath(path, k.Value), "duplicate key %q (first defined at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, pair{k, v})
	}
	var add func(m *yaml.Node, d int)
	add = func(m *yaml.Node, d int) {
		for m != nil && m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		w.budget--
		if m == nil || d > 20 || w.budget <= 0 {
			return
		}
		switch m.Kind {
		case yaml.SequenceNode:
			for _, c := range m.Content {
				add(c, d+1)
			}
		case yaml.MappingNode:
			for _, kv := range w.pairs(m, path, depth+1) {
				if _, ok := seen[kv.key.Value]; !ok {
					seen[kv.key.Value] = kv.key
					out = append(out, kv)
				}
			}
		default:
			w.problem(m, path, "<< must merge a mapping, got %s", describe(m))
		}
	}
	for _, m := range merges {
		add(m, 0)
	}
	return out
}

func (w *walker) walkStruct(n *yaml.Node, t reflect.Type, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		w.problem(n, path, "must be a mapping, got %s", describe(n))
		return
	}
	fields := yamlFields(t)
	for _, kv := range w.pairs(n, path, depth) {
		p := joinPath(path, kv.key.Value)
		ft, ok := fields[kv.key.Value]
		if !ok && path == "" && strings.HasPrefix(kv.key.Value, "x-") {
			continue // top-level extension fields hold anchors, as in Compose files
		}
		if !ok {
			msg := fmt.Sprintf("unknown field %q", kv.key.Value)
			if s := suggest(kv.key.Value, fields); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			w.problem(kv.key, p, "%s", msg)
			continue
		}
		w.keys[p] = nodePos(kv.key)
		w.walk(kv.val, ft, p, depth+1)
	}
}

// walkEnv accepts the map form (document order kept) and the Kubernetes list
// form, recording positions under the list-form paths env[i].name / env[i].value
// so validation speaks one language for both.
func (w *walker) walkEnv(n *yaml.Node, path string, depth int) {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			w.walk(c, reflect.TypeOf(EnvVar{}), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	case yaml.MappingNode:
		for i, kv := range w.pairs(n, path, depth) {
			ip := fmt.Sprintf("%s[%d]", path, i)
			w.keys[ip], w.values[ip] = nodePos(kv.key), nodePos(kv.key)
			w.values[ip+".name"] = nodePos(kv.key)
			w.values[joinPath(path, kv.key.Value)] = nodePos(kv.val)
			w.walk(kv.val, reflect.TypeOf(""), ip+".value", depth+1)
		}
	default:
		w.problem(n, path, "must be a mapping or a list of {name, value}, got %s", describe(n))
	}
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// yamlFields maps a struct's YAML keys to field types; "-" fields are not keys
// and inline structs contribute their own keys.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if opts == "inline" && sf.Type.Kind() == reflect.Struct {
			for k, v := range yamlFields(sf.Type) {
				f[k] = v
			}
			continue
		}
		if name == "-" || !sf.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		f[name] = sf.Type
	}
	fieldCache.Store(t, f)
	return f
}

// describe names a node's kind and value for messages: `"abc"`, `a mapping`.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

func quote(s string) string { return strconv.Quote(s) }

// suggest returns the known key closest to key when it is a likely typo.
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for name := range fields {
		if d := editDistance(strings.ToLower(key), strings.ToLower(name)); d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
