package kube

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/ordset/ordset/compose"
)

// valueCheck is a parse the API types do in their own UnmarshalJSON (quantities, base64), whose
// errors name no field. To place such an error, every scalar the check applies to is parsed
// again and the first one that fails is reported at its own line.
type valueCheck struct {
	applies func(kind string, keys []string) bool
	parse   func(kind, value string) error
}

var valueChecks = []valueCheck{
	{applies: isQuantityField, parse: func(_, s string) error {
		if _, err := resource.ParseQuantity(s); err != nil {
			return errors.New("not a quantity (e.g. 1Gi, 512Mi, 250m, 0.5)")
		}
		return nil
	}},
	{applies: isBase64Field, parse: func(kind, s string) error {
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			plain := map[string]string{"Secret": "stringData", "ConfigMap": "data"}[kind]
			return fmt.Errorf("not base64 (%v; plain text goes under %s)", err, plain)
		}
		return nil
	}},
}

// isQuantityField: a resource list entry (limits, requests, overhead, a claim's storage) or an
// emptyDir's sizeLimit.
func isQuantityField(_ string, keys []string) bool {
	n := len(keys)
	return n >= 2 && (keys[n-1] == "sizeLimit" || slices.Contains([]string{"limits", "requests", "overhead"}, keys[n-2]))
}

// isBase64Field: a Secret's data or a ConfigMap's binaryData entry.
func isBase64Field(kind string, keys []string) bool {
	return len(keys) == 2 && (kind == "Secret" && keys[0] == "data" || kind == "ConfigMap" && keys[0] == "binaryData")
}

// badValue finds the first scalar of d that a value check rejects: its problem, or false.
func (d *doc) badValue() (compose.Problem, bool) {
	var found *compose.Problem
	walkScalars(d.node, "", nil, func(path string, keys []string, v *yaml.Node) bool {
		for _, c := range valueChecks {
			if !c.applies(d.kind, keys) {
				continue
			}
			if err := c.parse(d.kind, v.Value); err != nil {
				p := d.problem(path, "%q is %v", v.Value, err)
				found = &p
				return false
			}
		}
		return true
	})
	if found == nil {
		return compose.Problem{}, false
	}
	return *found, true
}

// walkScalars calls fn for each scalar below n in document order, with its path and the map
// keys on the way (list indices left out), until fn returns false.
func walkScalars(n *yaml.Node, path string, keys []string, fn func(string, []string, *yaml.Node) bool) bool {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !walkScalars(n.Content[i+1], joinField(path, k), append(slices.Clip(keys), k), fn) {
				return false
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if !walkScalars(c, fmt.Sprintf("%s[%d]", path, i), keys, fn) {
				return false
			}
		}
	case yaml.ScalarNode:
		return fn(path, keys, n)
	}
	return true
}
