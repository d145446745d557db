package kube

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Fields that mean nothing on one Docker host: accepted with a warning each. Paths are
// relative to the pod template's spec unless they start with the object's top-level field.
var meaninglessPod = map[string]string{
	"affinity":                     "there is one node",
	"tolerations":                  "there is one node",
	"nodeSelector":                 "there is one node",
	"nodeName":                     "there is one node",
	"topologySpreadConstraints":    "there is one node",
	"priorityClassName":            "nothing is preempted on one host",
	"priority":                     "nothing is preempted on one host",
	"preemptionPolicy":             "nothing is preempted on one host",
	"imagePullSecrets":             "images come from the Docker engine's own credentials",
	"serviceAccountName":           "pods get no Kubernetes API credentials",
	"serviceAccount":               "pods get no Kubernetes API credentials",
	"automountServiceAccountToken": "pods get no Kubernetes API credentials",
	"enableServiceLinks":           "ordset injects no service environment variables",
	"schedulerName":                "there is no scheduler",
	"runtimeClassName":             "containers run on the engine's default runtime",
	"dnsPolicy":                    "pods use ordset's DNS server",
	"dnsConfig":                    "pods use ordset's DNS server",
	"setHostnameAsFQDN":            "the hostname is <set>-<ordinal>, the domain is set separately",
	"shareProcessNamespace":        "not supported on the Docker engine ordset targets",
	"activeDeadlineSeconds":        "not applied by ordset",
	"terminationMessagePath":       "ordset keeps the container's logs instead",
	"terminationMessagePolicy":     "ordset keeps the container's logs instead",
}

// leftovers reports every field still set in obj (after the mappers took what the model
// holds): a warning for fields that mean nothing locally, an error for the rest, which the
// model cannot hold yet. Nothing of the input is dropped without a word.
func (im *importer) leftovers(d *doc, obj any, prefix string) {
	b, err := json.Marshal(obj)
	if err != nil {
		im.probs = append(im.probs, d.problem(prefix, "%v", err))
		return
	}
	var v any
	_ = json.Unmarshal(b, &v)
	walkLeaves(v, prefix, func(path string) {
		last := lastSegment(path)
		if why, ok := meaninglessPod[last]; ok && why != "" {
			im.warn(d, path, "ignored: %s", why)
			return
		}
		im.probs = append(im.probs, d.problem(path, "not supported by ordset yet"))
	})
}

// walkLeaves calls fn for the shallowest path of each set value; zero scalars and empty
// collections count as unset, as the API types' omitempty does.
func walkLeaves(v any, path string, fn func(string)) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !isEmpty(t[k]) {
				if _, ok := meaninglessPod[k]; ok {
					fn(joinField(path, k))
					continue
				}
				walkLeaves(t[k], joinField(path, k), fn)
			}
		}
	case []any:
		for i, x := range t {
			if !isEmpty(x) {
				walkLeaves(x, fmt.Sprintf("%s[%d]", path, i), fn)
			}
		}
	default:
		if !isEmpty(v) {
			fn(path)
		}
	}
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case float64:
		return t == 0
	case bool:
		return !t
	case map[string]any:
		for _, x := range t {
			if !isEmpty(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range t {
			if !isEmpty(x) {
				return false
			}
		}
		return true
	}
	return false
}

func joinField(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// warn records a warning at the field's position.
func (im *importer) warn(d *doc, path, format string, args ...any) {
	p := d.problem(path, format, args...)
	im.warnings = append(im.warnings, Warning{Object: fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col), Message: p.Path + ": " + p.Message, at: p})
}

// take returns *p and zeroes it: a mapper takes what the model holds, leaving the rest for
// leftovers to report.
func take[T any](p *T) T {
	v := *p
	var zero T
	*p = zero
	return v
}

// dropDefault zeroes *p when it holds the server's default, so kubectl get -o yaml output
// (every default written out) imports without noise.
func dropDefault[T comparable](p *T, def T) {
	if *p == def {
		var zero T
		*p = zero
	}
}
