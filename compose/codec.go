package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// UnmarshalYAML accepts a mapping (document order kept) or the Kubernetes list
// form [{name, value}].
func (e *EnvList) UnmarshalYAML(n *yaml.Node) error {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.SequenceNode:
		var list []EnvVar
		if err := n.Decode(&list); err != nil {
			return err
		}
		*e = list
	case yaml.MappingNode:
		pairs := newWalker("", nil).pairs(n, "", 0) // merge keys expanded, order kept
		list := make(EnvList, 0, len(pairs))
		for _, kv := range pairs {
			var v string
			if err := kv.val.Decode(&v); err != nil {
				return err
			}
			list = append(list, EnvVar{Name: kv.key.Value, Value: v})
		}
		*e = list
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			*e = nil
			return nil
		}
		return fmt.Errorf("line %d: env must be a mapping or a list", n.Line)
	default:
		return fmt.Errorf("line %d: env must be a mapping or a list", n.Line)
	}
	return nil
}

// UnmarshalYAML reads a port number or a port name.
func (p *PortRef) UnmarshalYAML(n *yaml.Node) error {
	if n.ShortTag() == "!!int" {
		*p = PortRef{}
		return n.Decode(&p.Number)
	}
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*p = PortRef{Name: s}
	return nil
}

// MarshalYAML writes the resolved number (the name when unresolved).
func (p PortRef) MarshalYAML() (any, error) {
	if p.Number != 0 || p.Name == "" {
		return p.Number, nil
	}
	return p.Name, nil
}

// MarshalJSON writes the resolved number (the name when unresolved).
func (p PortRef) MarshalJSON() ([]byte, error) {
	if p.Number != 0 || p.Name == "" {
		return []byte(strconv.Itoa(p.Number)), nil
	}
	return json.Marshal(p.Name)
}

// UnmarshalJSON accepts a number or a name, so specs survive a JSON round trip.
func (p *PortRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		*p = PortRef{}
		return json.Unmarshal(b, &p.Name)
	}
	*p = PortRef{}
	return json.Unmarshal(b, &p.Number)
}

// String renders the reference for messages: the number, or the name.
func (p PortRef) String() string {
	if p.Number != 0 || p.Name == "" {
		return strconv.Itoa(p.Number)
	}
	return p.Name
}

// YAML renders the normalised project (defaults applied, ports resolved,
// host paths absolute) as `ordset config` prints it.
func (p *Project) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode project as YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode project as YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// JSON renders the normalised project as an indented object with top-level
// namespace and statefulsets.
func (p *Project) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode project as JSON: %w", err)
	}
	return append(b, '\n'), nil
}
