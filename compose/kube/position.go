package kube

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ordset/ordset/compose"
)

// doc is one Kubernetes object of the input: its node tree (for positions), its file and the
// field path prefix of the object inside the document ("items[2]." inside a List).
type doc struct {
	file       string
	node       *yaml.Node
	apiVersion string
	kind       string
	name       string
}

// splitPath turns a JSON field path (spec.template.spec.containers[0].image) into segments
// ("spec", "template", "spec", "containers", "[0]", "image").
func splitPath(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		for {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part[i:], ']')
			if j < 0 {
				break
			}
			out = append(out, part[i:i+j+1])
			part = part[i+j+1:]
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// locate finds the node at segs below n, or the deepest node on the way. Map keys may
// themselves contain dots (labels), so a mapping tries the longest key that matches.
func locate(n *yaml.Node, segs []string) (node *yaml.Node, key *yaml.Node) {
	for len(segs) > 0 {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch {
		case n.Kind == yaml.SequenceNode && strings.HasPrefix(segs[0], "["):
			i, err := strconv.Atoi(strings.Trim(segs[0], "[]"))
			if err != nil || i < 0 || i >= len(n.Content) {
				return n, key
			}
			n, segs = n.Content[i], segs[1:]
		case n.Kind == yaml.MappingNode:
			found := false
			for k := len(segs); k >= 1 && !found; k-- {
				name := strings.Join(segs[:k], ".")
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == name {
						key, n, segs, found = n.Content[i], n.Content[i+1], segs[k:], true
						break
					}
				}
			}
			if !found {
				return n, key
			}
		default:
			return n, key
		}
	}
	return n, key
}

// problem places a message at the field path of d (the key for unknown fields, the value
// otherwise), with the path shown as the user wrote it.
func (d *doc) problem(path, format string, args ...any) compose.Problem {
	return d.problemAt(path, false, format, args...)
}

func (d *doc) problemAt(path string, atKey bool, format string, args ...any) compose.Problem {
	n, key := locate(d.node, splitPath(path))
	if atKey && key != nil {
		n = key
	}
	return compose.Problem{File: d.file, Line: n.Line, Col: n.Column, Path: d.object(path), Message: sprintf(format, args...)}
}

// object names the field for messages: StatefulSet/web spec.replicas.
func (d *doc) object(path string) string {
	s := d.kind + "/" + d.name
	if path != "" {
		s += " " + path
	}
	return s
}

// position is where path of d is, for compose.Normalize.
func (d *doc) position(path string) compose.Position {
	n, _ := locate(d.node, splitPath(path))
	return compose.Position{File: d.file, Line: n.Line, Col: n.Column}
}
