package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// RenderYAML writes objects as YAML documents under a header comment: keys in the API types'
// field order (apiVersion, kind, metadata, spec), map keys sorted, empty fields left out.
func RenderYAML(objs []any, header string) ([]byte, error) {
	var buf bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		buf.WriteString("# " + line + "\n")
	}
	for _, o := range objs {
		n, err := tidyNode(o)
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(n); err != nil {
			return nil, fmt.Errorf("encode %s: %w", objectName(o), err)
		}
		if err := enc.Close(); err != nil {
			return nil, fmt.Errorf("encode %s: %w", objectName(o), err)
		}
	}
	return buf.Bytes(), nil
}

// RenderJSON writes objects as one v1 List, as kubectl get -o json does for several objects.
func RenderJSON(objs []any) ([]byte, error) {
	items := &yaml.Node{Kind: yaml.SequenceNode}
	for _, o := range objs {
		n, err := tidyNode(o)
		if err != nil {
			return nil, err
		}
		items.Content = append(items.Content, n)
	}
	list := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("apiVersion"), str("v1"), str("kind"), str("List"), str("items"), items,
	}}
	var buf bytes.Buffer
	writeJSON(&buf, list, "")
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// tidyNode turns an API object into an ordered node tree without null or empty values
// (the API types write creationTimestamp: null, resources: {}, status: {}).
func tidyNode(o any) (*yaml.Node, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", objectName(o), err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("re-read %s: %w", objectName(o), err)
	}
	n := doc.Content[0]
	dropKey(n, "status") // an export describes desired state only
	prune(n)
	// TypeMeta writes kind first; manifests conventionally start with apiVersion.
	if c := n.Content; len(c) >= 4 && c[0].Value == "kind" && c[2].Value == "apiVersion" {
		c[0], c[1], c[2], c[3] = c[2], c[3], c[0], c[1]
	}
	return n, nil
}

func dropKey(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}

// prune removes empty values below n and resets the flow/quoted style JSON parsing left, so
// the encoder writes block style and quotes only strings that need it.
func prune(n *yaml.Node) bool {
	n.Style = 0
	switch n.Kind {
	case yaml.MappingNode:
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			// emptyDir: {} is a volume source with every field defaulted, not an empty value
			if prune(v) || (k.Value == "emptyDir" && v.Kind == yaml.MappingNode) {
				k.Style = 0
				kept = append(kept, k, v)
			}
		}
		n.Content = kept
		return len(kept) > 0
	case yaml.SequenceNode:
		kept := n.Content[:0]
		for _, c := range n.Content {
			if prune(c) {
				kept = append(kept, c)
			}
		}
		n.Content = kept
		return len(kept) > 0
	case yaml.ScalarNode:
		if n.Tag == "!!str" && yaml11Bools[n.Value] {
			// kubectl reads YAML 1.1, where these are booleans: quote them.
			n.Style = yaml.DoubleQuotedStyle
		}
		return n.Tag != "!!null"
	}
	return true
}

var yaml11Bools = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "n": true, "N": true, "no": true, "No": true, "NO": true,
	"on": true, "On": true, "ON": true, "off": true, "Off": true, "OFF": true,
}

// writeJSON writes a pruned node tree as indented JSON, keeping its key order.
func writeJSON(buf *bytes.Buffer, n *yaml.Node, indent string) {
	in := indent + "  "
	switch n.Kind {
	case yaml.MappingNode:
		buf.WriteString("{\n")
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, _ := json.Marshal(n.Content[i].Value)
			fmt.Fprintf(buf, "%s%s: ", in, k)
			writeJSON(buf, n.Content[i+1], in)
			if i+2 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case yaml.SequenceNode:
		buf.WriteString("[\n")
		for i, c := range n.Content {
			buf.WriteString(in)
			writeJSON(buf, c, in)
			if i+1 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	default:
		if n.Tag == "!!str" {
			b, _ := json.Marshal(n.Value)
			buf.Write(b)
		} else {
			buf.WriteString(n.Value)
		}
	}
}

// objectName is kind/name of an API object, for messages.
func objectName(o any) string {
	b, _ := json.Marshal(o)
	var m struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(b, &m)
	return m.Kind + "/" + m.Metadata.Name
}
