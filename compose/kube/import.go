package kube

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/ordset/ordset/compose"
)

// Kinds ordset accepts but that mean nothing on one Docker host, and why.
var meaninglessKinds = map[string]string{
	"PodDisruptionBudget":     "there is one host: no voluntary disruptions to budget",
	"ServiceAccount":          "pods get no Kubernetes API credentials",
	"Role":                    "there is no Kubernetes API to authorise",
	"RoleBinding":             "there is no Kubernetes API to authorise",
	"ClusterRole":             "there is no Kubernetes API to authorise",
	"ClusterRoleBinding":      "there is no Kubernetes API to authorise",
	"NetworkPolicy":           "every pod of a namespace shares one Docker network",
	"StorageClass":            "volumes are Docker named volumes",
	"PersistentVolume":        "volumes are Docker named volumes, one per claim",
	"LimitRange":              "no quota is enforced",
	"ResourceQuota":           "no quota is enforced",
	"HorizontalPodAutoscaler": "scale with ordset scale",
	"Ingress":                 "there is no ingress controller",
	"PriorityClass":           "nothing is preempted on one host",
}

// helmHookAnnotation marks an object `helm template` prints but Helm itself runs only around
// an install or on `helm test` (a test Pod, a migration Job), never as part of the release.
const helmHookAnnotation = "helm.sh/hook"

// helmHook is the value of d's helm.sh/hook annotation, or "".
func helmHook(d *doc) string {
	ann, _ := locate(d.node, []string{"metadata", "annotations"})
	if ann == d.node || ann.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(ann.Content); i += 2 {
		if ann.Content[i].Value == helmHookAnnotation {
			return ann.Content[i+1].Value
		}
	}
	return ""
}

// Kinds that run workloads ordset cannot run: an error, never a silent skip.
var unrunnableKinds = map[string]bool{
	"Deployment": true, "DaemonSet": true, "ReplicaSet": true, "ReplicationController": true,
	"Job": true, "CronJob": true, "Pod": true,
}

// importer gathers one load's objects, problems and warnings.
type importer struct {
	probs    []compose.Problem
	warnings []Warning
	sets     []*setDoc
	services map[string]*serviceDoc
	config   map[string]*doc // ConfigMaps by name
	used     map[string]bool // ConfigMaps an export made from a host path (not project objects)
	cms      map[string]*corev1.ConfigMap
	secrets  map[string]*corev1.Secret
	nsDocs   []*doc
	ns       string
	nsFrom   *doc
	at       map[string]compose.Position
	// exact maps an ordset field path to the manifest's own (Kind/name path) where the one is
	// the other field for field, so the loader's messages name what the user wrote.
	exact map[string]string
}

type setDoc struct {
	d   *doc
	sts *appsv1.StatefulSet
}

type serviceDoc struct {
	d    *doc
	svc  *corev1.Service
	used bool
}

// LoadFile reads path as an ordset file or Kubernetes manifests, whichever it is; a
// directory is read as manifests (every *.yaml, *.yml and *.json in it, in name order).
func LoadFile(path string, opts compose.LoadOptions) (*compose.Project, []Warning, error) {
	return LoadFiles([]string{path}, opts)
}

// LoadFiles is LoadFile for several -f: more than one file must all be manifests (an ordset
// file is a whole project on its own), read as one stream of objects.
func LoadFiles(paths []string, opts compose.LoadOptions) (*compose.Project, []Warning, error) {
	files := map[string][]byte{}
	var order []string
	for _, path := range paths {
		names, err := manifestFiles(path)
		if err != nil {
			return nil, nil, err
		}
		for _, n := range names {
			data, err := os.ReadFile(n)
			if err != nil {
				return nil, nil, fmt.Errorf("read ordset file: %w", err)
			}
			if !IsManifest(data) {
				if len(paths) == 1 && n == path {
					p, err := compose.Load(path, opts)
					return p, nil, err
				}
				return nil, nil, fmt.Errorf("%s is not a Kubernetes manifest (no apiVersion and kind); an ordset file goes alone in one -f", n)
			}
			files[n] = data
			order = append(order, n)
		}
	}
	return loadManifests(files, order, opts.Images)
}

// manifestFiles is path itself, or the *.yaml, *.yml and *.json files of a directory
// (but the images file, compose.ImagesFile).
func manifestFiles(path string) ([]string, error) {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return []string{path}, nil // a read error is reported with the read
	}
	var names []string
	for _, pat := range []string{"*.yaml", "*.yml", "*.json"} {
		m, _ := filepath.Glob(filepath.Join(path, pat))
		for _, n := range m {
			if filepath.Base(n) != compose.ImagesFile { // overrides, not a manifest
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.yaml, *.yml or *.json files in %s", path)
	}
	return names, nil
}

// LoadBytes is LoadFile for in-memory input (stdin); name is used in positions.
func LoadBytes(name string, data []byte, opts compose.LoadOptions) (*compose.Project, []Warning, error) {
	if !IsManifest(data) {
		p, err := compose.LoadBytes(name, data, opts)
		return p, nil, err
	}
	return loadManifests(map[string][]byte{name: data}, []string{name}, opts.Images)
}

func loadManifests(files map[string][]byte, order []string, images []compose.ImageOverride) (*compose.Project, []Warning, error) {
	im := &importer{services: map[string]*serviceDoc{}, config: map[string]*doc{}, used: map[string]bool{}, at: map[string]compose.Position{},
		exact: map[string]string{}, cms: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	for _, name := range order {
		docs, probs := splitDocs(name, files[name])
		im.probs = append(im.probs, probs...)
		for _, d := range docs {
			im.object(d)
		}
	}
	p := im.project()
	sort.SliceStable(im.warnings, func(i, j int) bool { return im.warnings[i].at.Before(im.warnings[j].at) })
	if len(im.probs) > 0 {
		return nil, im.warnings, &compose.ValidationError{Problems: sortedProblems(im.probs)}
	}
	if err := compose.NormalizeAt(p, order[0], im.at, images); err != nil {
		var verr *compose.ValidationError
		if errors.As(err, &verr) {
			im.manifestPaths(verr.Problems)
		}
		return nil, im.warnings, err
	}
	im.manifestPaths(p.Warnings)
	return p, im.warnings, nil
}

// same records that the ordset field at ordsetPath is the manifest's field manifestPath of
// document d: problems there get its position and are named by its path.
func (im *importer) same(ordsetPath string, d *doc, manifestPath string) {
	im.at[ordsetPath] = d.position(manifestPath)
	im.exact[ordsetPath] = d.object(manifestPath)
}

// manifestPaths renames the loader's problems found on a field the manifest wrote as such
// (statefulsets.zk.affinity is StatefulSet/zk spec.template.spec.affinity); the others keep
// the ordset path, which "ordset config" shows.
func (im *importer) manifestPaths(probs []compose.Problem) {
	for i := range probs {
		if m, ok := im.exact[probs[i].Path]; ok {
			probs[i].Path = m
		}
	}
}

// object sorts one document by kind.
func (im *importer) object(d *doc) {
	if hook := helmHook(d); hook != "" {
		im.warn(d, "metadata.annotations."+helmHookAnnotation, "ignored: a Helm hook (%s: %s) runs around an install, not as part of it (helm template --no-hooks leaves it out)", helmHookAnnotation, hook)
		return
	}
	im.namespace(d)
	switch gk := d.apiVersion + " " + d.kind; {
	case gk == "apps/v1 StatefulSet":
		sts := &appsv1.StatefulSet{}
		if probs := d.decodeStrict(sts); len(probs) > 0 {
			im.probs = append(im.probs, probs...)
			return
		}
		im.sets = append(im.sets, &setDoc{d: d, sts: sts})
	case gk == "v1 Service":
		svc := &corev1.Service{}
		if probs := d.decodeStrict(svc); len(probs) > 0 {
			im.probs = append(im.probs, probs...)
			return
		}
		im.services[svc.Name] = &serviceDoc{d: d, svc: svc}
	case gk == "v1 ConfigMap":
		cm := &corev1.ConfigMap{}
		if probs := d.decodeStrict(cm); len(probs) > 0 {
			im.probs = append(im.probs, probs...)
			return
		}
		im.config[d.name], im.cms[d.name] = d, cm
		im.immutable(d, cm.Immutable)
	case gk == "v1 Secret":
		sec := &corev1.Secret{}
		if probs := d.decodeStrict(sec); len(probs) > 0 {
			im.probs = append(im.probs, probs...)
			return
		}
		im.secrets[d.name] = sec
		im.immutable(d, sec.Immutable)
	case gk == "v1 Namespace":
		im.nsDocs = append(im.nsDocs, d)
	case meaninglessKinds[d.kind] != "":
		im.warn(d, "kind", "ignored: %s", meaninglessKinds[d.kind])
	case unrunnableKinds[d.kind]:
		im.probs = append(im.probs, d.problem("kind", "ordset runs StatefulSets only; a %s cannot run here (convert it to a StatefulSet)", d.kind))
	default:
		im.probs = append(im.probs, d.problem("kind", "unknown kind %s %s (ordset reads apps/v1 StatefulSet, v1 Service, ConfigMap, Secret, Namespace)", d.apiVersion, d.kind))
	}
}

// immutable warns about `immutable: true`: ordset has no API that could refuse a change; a
// changed ConfigMap or Secret in the file rolls the pods that use it.
func (im *importer) immutable(d *doc, v *bool) {
	if v != nil && *v {
		im.warn(d, "immutable", "ignored: a change to this %s in the file is applied (the pods using it are rolled)", d.kind)
	}
}

// namespace keeps the one namespace the objects live in: the project holds exactly one.
func (im *importer) namespace(d *doc) {
	n, _ := locate(d.node, []string{"metadata", "namespace"})
	if n == d.node || n.Value == "" || d.kind == "Namespace" {
		return
	}
	switch {
	case im.ns == "":
		im.ns, im.nsFrom = n.Value, d
	case im.ns != n.Value:
		im.probs = append(im.probs, d.problem("metadata.namespace", "namespace %q differs from %q of %s; an ordset project lives in one namespace", n.Value, im.ns, im.nsFrom.object("")))
	}
}

// project assembles the spec from the collected objects.
func (im *importer) project() *compose.Project {
	p := &compose.Project{Namespace: im.ns, StatefulSets: map[string]*compose.StatefulSet{}}
	if p.Namespace == "" && len(im.nsDocs) == 1 {
		p.Namespace = im.nsDocs[0].name
	}
	if len(im.sets) == 0 && len(im.probs) == 0 {
		im.probs = append(im.probs, compose.Problem{File: "", Message: "no apps/v1 StatefulSet in the input"})
	}
	for _, sd := range im.sets {
		if _, ok := p.StatefulSets[sd.d.name]; ok {
			im.probs = append(im.probs, sd.d.problem("metadata.name", "duplicate StatefulSet %q", sd.d.name))
			continue
		}
		p.StatefulSets[sd.d.name] = im.set(sd)
	}
	for _, name := range sortedKeys(im.services) {
		if sv := im.services[name]; !sv.used {
			im.otherService(sv, p)
		}
	}
	for _, name := range sortedKeys(im.cms) { // the project's objects: all but an export's host path copies
		if im.used[name] {
			continue
		}
		cm := im.cms[name]
		var out compose.ConfigMap
		convert(struct {
			Data       map[string]string `json:"data,omitempty"`
			BinaryData map[string][]byte `json:"binaryData,omitempty"`
		}{cm.Data, cm.BinaryData}, &out)
		if p.ConfigMaps == nil {
			p.ConfigMaps = map[string]*compose.ConfigMap{}
		}
		p.ConfigMaps[name] = &out
	}
	for _, name := range sortedKeys(im.secrets) {
		sec := im.secrets[name]
		out := compose.Secret{Type: string(sec.Type), StringData: sec.StringData}
		convert(struct {
			Data map[string][]byte `json:"data,omitempty"`
		}{sec.Data}, &out)
		if p.Secrets == nil {
			p.Secrets = map[string]*compose.Secret{}
		}
		p.Secrets[name] = &out
	}
	return p
}

func sortedProblems(ps []compose.Problem) []compose.Problem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Before(ps[j]) })
	return ps
}
