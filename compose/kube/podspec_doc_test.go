package kube

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// The pod-spec reference (docs/PODSPEC.md) lists every field of the core/v1 types a pod
// template is made of, each supported, ignored (a warning) or rejected (an error), in a
// Kubernetes manifest and in the ordset file. These tests keep it true: every field of the API
// types this module builds against must have a row, and loading a manifest or an ordset file
// that sets the field must do what the row says.

const podspecDoc = "../../docs/PODSPEC.md"

// docSection is one table of the reference: the API type it covers and where a manifest sets
// its fields (relative to the StatefulSet's pod template spec).
type docSection struct {
	heading string
	typ     reflect.Type
	// at sets the field to v in the base pod spec (a JSON object) and returns the field's
	// path as the importer names it.
	at func(pod map[string]any, field string, v any) string
}

func obj(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}

func container0(pod map[string]any) map[string]any {
	return pod["containers"].([]any)[0].(map[string]any)
}

const tpl = "spec.template.spec."

var docSections = []docSection{
	{"PodSpec", reflect.TypeOf(corev1.PodSpec{}), func(pod map[string]any, f string, v any) string {
		if f == "containers" || f == "initContainers" || f == "ephemeralContainers" {
			v = []any{map[string]any{"name": "c2", "image": "app:1"}}
		}
		switch f {
		case "containers":
			pod[f] = append(pod[f].([]any), v.([]any)...)
			return tpl + f
		case "volumes":
			v = []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}}
		case "securityContext":
			v = map[string]any{"runAsUser": 1000}
		}
		pod[f] = v
		return tpl + f
	}},
	{"Container", reflect.TypeOf(corev1.Container{}), func(pod map[string]any, f string, v any) string {
		if f == "name" || f == "image" {
			return tpl + "containers[0]." + f // set in every base pod
		}
		container0(pod)[f] = v
		return tpl + "containers[0]." + f
	}},
	{"SecurityContext", reflect.TypeOf(corev1.SecurityContext{}), func(pod map[string]any, f string, v any) string {
		if f == "runAsGroup" { // ordset's user "uid:gid": a group alone has no form
			obj(container0(pod), "securityContext")["runAsUser"] = 1000
		}
		obj(container0(pod), "securityContext")[f] = v
		return tpl + "containers[0].securityContext." + f
	}},
	{"PodSecurityContext", reflect.TypeOf(corev1.PodSecurityContext{}), func(pod map[string]any, f string, v any) string {
		obj(pod, "securityContext")[f] = v
		return tpl + "securityContext." + f
	}},
	{"Volume", reflect.TypeOf(corev1.Volume{}), func(pod map[string]any, f string, v any) string {
		if f == "name" {
			pod["volumes"] = []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}}
			return tpl + "volumes[0].name"
		}
		pod["volumes"] = []any{map[string]any{"name": "v", f: v}}
		return tpl + "volumes[0]"
	}},
	{"VolumeMount", reflect.TypeOf(corev1.VolumeMount{}), func(pod map[string]any, f string, v any) string {
		pod["volumes"] = []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}}
		m := map[string]any{"name": "v", "mountPath": "/v"}
		if f != "name" && f != "mountPath" {
			m[f] = v
		}
		container0(pod)["volumeMounts"] = []any{m}
		return tpl + "containers[0].volumeMounts[0]." + f
	}},
	{"EmptyDirVolumeSource", reflect.TypeOf(corev1.EmptyDirVolumeSource{}), func(pod map[string]any, f string, v any) string {
		pod["volumes"] = []any{map[string]any{"name": "v", "emptyDir": map[string]any{f: v}}}
		return tpl + "volumes[0].emptyDir." + f
	}},
	{"ConfigMapVolumeSource", reflect.TypeOf(corev1.ConfigMapVolumeSource{}), func(pod map[string]any, f string, v any) string {
		src := map[string]any{"name": "cfg"}
		if f != "name" {
			src[f] = v
		}
		pod["volumes"] = []any{map[string]any{"name": "v", "configMap": src}}
		return tpl + "volumes[0].configMap." + f
	}},
	{"SecretVolumeSource", reflect.TypeOf(corev1.SecretVolumeSource{}), func(pod map[string]any, f string, v any) string {
		src := map[string]any{"secretName": "pw"}
		if f != "secretName" {
			src[f] = v
		}
		pod["volumes"] = []any{map[string]any{"name": "v", "secret": src}}
		return tpl + "volumes[0].secret." + f
	}},
	{"HostPathVolumeSource", reflect.TypeOf(corev1.HostPathVolumeSource{}), func(pod map[string]any, f string, v any) string {
		src := map[string]any{"path": "/srv"}
		if f != "path" {
			src[f] = "Directory"
		}
		pod["volumes"] = []any{map[string]any{"name": "v", "hostPath": src}}
		return tpl + "volumes[0].hostPath." + f
	}},
	{"Probe", reflect.TypeOf(corev1.Probe{}), func(pod map[string]any, f string, v any) string {
		p := map[string]any{}
		if _, handler := reflect.TypeOf(corev1.ProbeHandler{}).FieldByName(goField(corev1.ProbeHandler{}, f)); !handler {
			p["tcpSocket"] = map[string]any{"port": 80}
		}
		p[f] = v
		container0(pod)["readinessProbe"] = p
		return tpl + "containers[0].readinessProbe." + f
	}},
	{"Lifecycle", reflect.TypeOf(corev1.Lifecycle{}), func(pod map[string]any, f string, v any) string {
		obj(container0(pod), "lifecycle")[f] = v
		return tpl + "containers[0].lifecycle." + f
	}},
	{"LifecycleHandler", reflect.TypeOf(corev1.LifecycleHandler{}), func(pod map[string]any, f string, v any) string {
		obj(container0(pod), "lifecycle", "preStop")[f] = v
		return tpl + "containers[0].lifecycle.preStop." + f
	}},
	{"EnvVarSource", reflect.TypeOf(corev1.EnvVarSource{}), func(pod map[string]any, f string, v any) string {
		container0(pod)["env"] = []any{map[string]any{"name": "X", "valueFrom": map[string]any{f: v}}}
		return tpl + "containers[0].env[0].valueFrom." + f
	}},
}

// goField is the Go name of the JSON field f of v's type ("" when none).
func goField(v any, f string) string {
	for _, sf := range jsonFields(reflect.TypeOf(v)) {
		if sf.json == f {
			return sf.goName
		}
	}
	return ""
}

type apiField struct {
	json, goName string
	typ          reflect.Type
}

// jsonFields lists a struct's JSON fields, inlined (embedded) structs flattened.
func jsonFields(t reflect.Type) []apiField {
	var out []apiField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if f.Anonymous && name == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name != "" && name != "-" {
			out = append(out, apiField{name, f.Name, f.Type})
		}
	}
	return out
}

// sample is a small non-empty JSON value of type t: enough for the field to count as set.
func sample(t reflect.Type, depth int) any {
	switch t {
	case reflect.TypeOf(intstr.IntOrString{}):
		return 80
	case reflect.TypeOf(resource.Quantity{}):
		return "1"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return sample(t.Elem(), depth)
	case reflect.String:
		return "x"
	case reflect.Bool:
		return true
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8:
		return 1
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "eA=="
		}
		return []any{sample(t.Elem(), depth)}
	case reflect.Map:
		return map[string]any{"x": sample(t.Elem(), depth)}
	case reflect.Struct:
		m := map[string]any{}
		if fs := jsonFields(t); len(fs) > 0 && depth < 4 {
			m[fs[0].json] = sample(fs[0].typ, depth+1)
		}
		return m
	}
	return "x"
}

// basePod is the pod template every probe starts from: one container, and the ConfigMap and
// Secret the volume rows name.
func basePod() map[string]any {
	return map[string]any{"containers": []any{map[string]any{"name": "web", "image": "app:1"}}}
}

// outcome imports a manifest whose pod template is pod and says what became of path:
// "rejected" (an error at it saying ordset does not run it), "ignored" (a warning at it)
// or "supported" (neither; other validation errors of the sample value are fine).
func outcome(t *testing.T, pod map[string]any, path string) (string, string) {
	t.Helper()
	sts := map[string]any{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": map[string]any{"name": "web", "namespace": "demo"},
		"spec": map[string]any{"serviceName": "web", "selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}}, "spec": pod}}}
	cm := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cfg", "namespace": "demo"},
		"data": map[string]any{"x": "x"}}
	sec := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "pw", "namespace": "demo"},
		"stringData": map[string]any{"x": "x"}}
	var b strings.Builder
	for _, o := range []any{cm, sec, sts} {
		j, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(j)
		b.WriteString("\n")
	}
	proj, warnings, err := LoadBytes("probe.yaml", []byte(b.String()), compose.LoadOptions{})
	var verr *compose.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			if within(p.Path, path) && refusal(p.Message) {
				return "rejected", p.Message
			}
		}
	} else if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, w := range warnings {
		if at, _, ok := strings.Cut(w.Message, ": "); ok && within(at, path) {
			return "ignored", w.Message
		}
	}
	if proj != nil { // warnings of the spec's own validation: the manifest's path where the mapping is exact
		for _, w := range proj.Warnings {
			if within(w.Path, path) || within(w.Path, "statefulsets.web."+strings.TrimPrefix(path, tpl)) {
				return "ignored", w.Message
			}
		}
	}
	return "supported", ""
}

// within reports whether a problem's path (after the object it is in, "StatefulSet/web
// spec...") is path or inside it.
func within(problem, path string) bool {
	if _, rest, ok := strings.Cut(problem, " "); ok {
		problem = rest
	}
	return problem == path || strings.HasPrefix(problem, path+".") || strings.HasPrefix(problem, path+"[")
}

// outcomeFile is outcome for the ordset file: the pod fields sit on the set (its
// `containers:` form), under the same names.
func outcomeFile(t *testing.T, pod map[string]any, path string) (string, string) {
	t.Helper()
	path = "statefulsets.web." + strings.TrimPrefix(path, tpl)
	file := map[string]any{"namespace": "demo", "configMaps": map[string]any{"cfg": map[string]any{"data": map[string]any{"x": "x"}}},
		"secrets":      map[string]any{"pw": map[string]any{"stringData": map[string]any{"x": "x"}}},
		"statefulsets": map[string]any{"web": pod}}
	j, err := json.Marshal(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := compose.LoadBytes("ordset.yaml", j, compose.LoadOptions{})
	var verr *compose.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			if within(p.Path, path) && (strings.Contains(p.Message, "unknown field") || strings.Contains(p.Message, "belongs to a container") || refusal(p.Message)) {
				return "rejected", p.Message
			}
		}
	} else if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if p != nil {
		for _, w := range p.Warnings {
			if within(w.Path, path) {
				return "ignored", w.Message
			}
		}
	}
	return "supported", ""
}

// refusal tells an error saying ordset does not run a field from a validation error of the
// sample value.
func refusal(msg string) bool {
	for _, s := range []string{"not supported by ordset", "ordset mounts claims", "not supported"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// docRows reads the reference's tables: section heading -> field -> status in a manifest and
// in the ordset file.
func docRows(t *testing.T) map[string]map[string][2]string {
	t.Helper()
	f, err := os.Open(podspecDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows := map[string]map[string][2]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "### "); ok {
			section = strings.Trim(strings.Fields(h)[0], "`")
			rows[section] = map[string][2]string{}
			continue
		}
		cells := strings.Split(line, "|")
		if section == "" || len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		field := strings.Trim(strings.TrimSpace(cells[1]), "`")
		rows[section][field] = [2]string{strings.TrimSpace(cells[2]), strings.TrimSpace(cells[3])}
	}
	return rows
}

// TestPodSpecDocListsEveryField: every JSON field of the core/v1 types has a row, and no row
// names a field the types do not have.
func TestPodSpecDocListsEveryField(t *testing.T) {
	rows := docRows(t)
	for _, s := range docSections {
		have := rows[s.heading]
		if have == nil {
			t.Errorf("%s: no section \"### %s\"", podspecDoc, s.heading)
			continue
		}
		api := map[string]bool{}
		var missing []string
		for _, f := range jsonFields(s.typ) {
			api[f.json] = true
			if _, ok := have[f.json]; !ok {
				missing = append(missing, f.json)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: section %s has no row for %v", podspecDoc, s.heading, missing)
		}
		for f := range have {
			if !api[f] {
				t.Errorf("%s: section %s lists %q, which core/v1 %s does not have", podspecDoc, s.heading, f, s.heading)
			}
		}
	}
}

// TestPodSpecDocMatchesTheLoaders loads, for every row, a Kubernetes manifest and an ordset
// file that set the field and checks each loader supports, ignores (with a warning) or rejects
// it as the row says.
func TestPodSpecDocMatchesTheLoaders(t *testing.T) {
	rows := docRows(t)
	var report []string
	for _, s := range docSections {
		for _, f := range jsonFields(s.typ) {
			want, ok := rows[s.heading][f.json]
			if !ok {
				continue // reported by TestPodSpecDocListsEveryField
			}
			for i, load := range []func(*testing.T, map[string]any, string) (string, string){outcome, outcomeFile} {
				pod := basePod()
				path := s.at(pod, f.json, sample(f.typ, 0))
				if got, msg := load(t, pod, path); got != want[i] {
					report = append(report, fmt.Sprintf("%s.%s: the reference says %s in %s, the loader %s it (%s)",
						s.heading, f.json, want[i], []string{"a manifest", "the ordset file"}[i], got, msg))
				}
			}
		}
	}
	sort.Strings(report)
	for _, r := range report {
		t.Error(r)
	}
}
