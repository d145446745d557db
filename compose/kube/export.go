package kube

import (
	"fmt"
	"maps"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// Export builds the Kubernetes objects for a normalised project: its Namespace, its
// ConfigMaps and Secrets, then per set (in name order) the ConfigMaps made from host paths,
// the headless Service and the StatefulSet; then the other Services. What has no equivalent comes back as warnings (and annotations on the objects).
func Export(p *compose.Project) ([]any, []Warning) {
	ex := &exporter{ns: p.Namespace, services: map[string]string{}, selectors: map[string]string{}}
	objs := []any{&corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: p.Namespace, Labels: map[string]string{LabelManagedBy: managedBy}},
	}}
	objs = append(objs, ex.objects(p)...)
	for _, name := range p.SetNames() {
		objs = append(objs, ex.set(p.StatefulSets[name])...)
	}
	for _, name := range sortedKeys(p.Services) {
		objs = append(objs, ex.otherService(name, p.Services[name]))
	}
	return objs, ex.warnings
}

// otherService writes a Service that is not a set's own as a ClusterIP Service (headless
// when it was read as one): on a cluster it gets the virtual IP and port mapping ordset
// does not have.
func (ex *exporter) otherService(name string, sv *compose.Service) *corev1.Service {
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: ex.objectMeta(name),
		Spec: corev1.ServiceSpec{Selector: sv.Selector, PublishNotReadyAddresses: sv.PublishNotReadyAddresses}}
	if sv.Headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
	}
	for _, sp := range sv.Ports {
		svc.Spec.Ports = append(svc.Spec.Ports, toServicePort(sp))
	}
	return svc
}

// objects writes the project's ConfigMaps and Secrets as they are (Kubernetes' stored form:
// data, binaryData and a Secret's data in base64), in name order.
func (ex *exporter) objects(p *compose.Project) []any {
	var out []any
	for _, name := range sortedKeys(p.ConfigMaps) {
		cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: ex.objectMeta(name)}
		if src := p.ConfigMaps[name]; src != nil {
			convert(compose.ConfigMap{Data: src.Data, BinaryData: src.BinaryData}, cm)
		}
		out = append(out, cm)
	}
	for _, name := range sortedKeys(p.Secrets) {
		sec := &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: ex.objectMeta(name)}
		if src := p.Secrets[name]; src != nil {
			convert(compose.Secret{Type: src.Type, Data: src.Data}, sec)
		}
		ex.warnings = append(ex.warnings, Warning{Object: "Secret/" + name,
			Message: "written with its data (base64 is an encoding, not encryption): keep the manifest private"})
		out = append(out, sec)
	}
	return out
}

func (ex *exporter) objectMeta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: ex.ns, Labels: map[string]string{LabelManagedBy: managedBy}}
}

// exporter carries what one export accumulates across sets.
type exporter struct {
	ns       string
	warnings []Warning
	services map[string]string // serviceName -> the set that owns the exported Service
	// selectors maps each exported selector (labels.Set string form) to its set, so two sets
	// never select each other's pods.
	selectors map[string]string
}

// setExport is what one set accumulates while its containers are mapped.
type setExport struct {
	*exporter
	set         *compose.StatefulSet
	object      string // StatefulSet/<name>, for warnings
	annotations map[string]string
	volumes     []corev1.Volume
	configMaps  []any
	hostVolumes map[string]string // host path -> volume name
	hostPaths   map[string]string // volume name -> host path (the annotation)
	users       map[string]string // container -> ordset user that has no numeric form
	hostPorts   []compose.Port    // ports published per ordinal (the annotation)
	sel         map[string]string // the selector labels (selectorLabels), on every object of the set
	// exported maps a template volume to the pod volume (and subPath, for a file) that
	// carries it: a host path becomes a ConfigMap when its files can be read.
	exported map[string]exportedVolume
}

type exportedVolume struct{ name, subPath string }

func (e *setExport) warn(format string, args ...any) {
	e.warnings = append(e.warnings, Warning{Object: e.object, Message: fmt.Sprintf(format, args...)})
}

func (ex *exporter) set(s *compose.StatefulSet) []any {
	e := &setExport{
		exporter: ex, set: s, object: "StatefulSet/" + s.Name, annotations: map[string]string{},
		hostVolumes: map[string]string{}, hostPaths: map[string]string{}, users: map[string]string{},
		exported: map[string]exportedVolume{},
	}
	e.sel = ex.claimSelector(s)
	spec := s.Template.Spec
	var pod corev1.PodSpec
	convert(compose.PodSpec{SecurityContext: spec.SecurityContext, HostAliases: spec.HostAliases, DNSConfig: spec.DNSConfig,
		ShareProcessNamespace: spec.ShareProcessNamespace, Scheduling: spec.Scheduling}, &pod)
	pod.TerminationGracePeriodSeconds = spec.TerminationGracePeriodSeconds
	e.podVolumes(spec)
	for _, c := range spec.InitContainers {
		pod.InitContainers = append(pod.InitContainers, e.container(c))
	}
	for _, c := range spec.Containers {
		pod.Containers = append(pod.Containers, e.container(c))
	}
	pod.Volumes = e.volumes
	e.jsonAnnotation(AnnotationHostPorts, e.hostPorts)
	e.dependsOn(s.DependsOn)
	claims := e.claims(s.VolumeClaimTemplates)
	e.jsonAnnotation(AnnotationHostPaths, e.hostPaths)
	e.jsonAnnotation(AnnotationUsers, e.users)

	sts := &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: e.meta(s.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:                             int32Ptr(*s.Replicas),
			Selector:                             &metav1.LabelSelector{MatchLabels: e.selector()},
			ServiceName:                          s.ServiceName,
			PodManagementPolicy:                  appsv1.PodManagementPolicyType(s.PodManagementPolicy),
			UpdateStrategy:                       updateStrategy(s.UpdateStrategy),
			MinReadySeconds:                      int32(s.MinReadySeconds),
			RevisionHistoryLimit:                 revisionHistoryLimit(s.RevisionHistoryLimit),
			Ordinals:                             ordinals(s.Ordinals),
			PersistentVolumeClaimRetentionPolicy: retention(s.PersistentVolumeClaimRetentionPolicy),
			VolumeClaimTemplates:                 claims,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: e.podMeta(),
				Spec:       pod,
			},
		},
	}
	if len(e.annotations) > 0 {
		sts.Annotations = e.annotations
	}
	out := append([]any{}, e.configMaps...)
	if svc := e.service(); svc != nil {
		out = append(out, svc)
	}
	return append(out, sts)
}

// podMeta is the template's metadata: its labels with the selector's, and its annotations
// but the config hash ordset computes itself (an import computes it again).
func (e *setExport) podMeta() metav1.ObjectMeta {
	md := e.set.Template.Metadata
	labels := e.selector()
	var own []string
	for _, k := range sortedKeys(md.Labels) {
		if v, ok := labels[k]; ok { // the selector's value stays, or the set would not select its pods
			if v == md.Labels[k] {
				own = append(own, k)
			} else {
				e.warn("template label %s=%s: the selector needs %s=%s there; the template label is not exported", k, md.Labels[k], k, v)
			}
			continue
		}
		labels[k] = md.Labels[k]
	}
	e.jsonAnnotation(AnnotationTemplateLabels, own)
	var ann map[string]string
	for k, v := range md.Annotations {
		if k == compose.ConfigHashAnnotation {
			continue
		}
		if ann == nil {
			ann = map[string]string{}
		}
		ann[k] = v
	}
	return metav1.ObjectMeta{Labels: labels, Annotations: ann}
}

// selector picks the set's pods; the same labels go on every object of the set.
func (e *setExport) selector() map[string]string {
	return maps.Clone(e.sel)
}

// claimSelector is selectorLabels for s, unless another set already exported that selector:
// then the set's own name and the namespace, which no other set has.
func (ex *exporter) claimSelector(s *compose.StatefulSet) map[string]string {
	sel := selectorLabels(s.Name, ex.ns, s.Template.Metadata.Labels)
	if _, taken := ex.selectors[labels.Set(sel).String()]; taken {
		sel = selectorLabels(s.Name, ex.ns, nil)
	}
	ex.selectors[labels.Set(sel).String()] = s.Name
	return sel
}

// selectorLabels are app.kubernetes.io/name and /instance: the template's own values when it
// has them (a chart's Services select the pods by them, so the export must keep them), else
// the set's name and the namespace.
func selectorLabels(set, ns string, template map[string]string) map[string]string {
	sel := map[string]string{LabelName: set, LabelInstance: ns}
	for k := range sel {
		if v, ok := template[k]; ok {
			sel[k] = v
		}
	}
	return sel
}

func (e *setExport) meta(name string) metav1.ObjectMeta {
	l := e.selector()
	l[LabelManagedBy] = managedBy
	return metav1.ObjectMeta{Name: name, Namespace: e.ns, Labels: l}
}

// service is the set's headless Service, named ports as the containers declare them. Two sets
// sharing a serviceName get one Service, selecting the first set's pods.
func (e *setExport) service() *corev1.Service {
	s := e.set
	if owner, ok := e.services[s.ServiceName]; ok {
		e.warn("shares Service %q with set %q; the exported Service selects only %q's pods", s.ServiceName, owner, owner)
		return nil
	}
	e.services[s.ServiceName] = s.Name
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: e.meta(s.ServiceName),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			Selector:                 e.selector(),
			PublishNotReadyAddresses: s.PublishNotReadyAddresses,
		},
	}
	for _, sp := range s.OwnServicePorts() {
		svc.Spec.Ports = append(svc.Spec.Ports, toServicePort(sp))
	}
	return svc
}

func toServicePort(sp compose.ServicePort) corev1.ServicePort {
	target := intstr.FromInt32(int32(sp.TargetPort.Number))
	if sp.TargetPort.Name != "" {
		target = intstr.FromString(sp.TargetPort.Name)
	}
	return corev1.ServicePort{Name: sp.Name, Protocol: corev1.Protocol(sp.Protocol), Port: int32(sp.Port), TargetPort: target}
}

// revisionHistoryLimit is written only when the file sets it (both default to 10).
func revisionHistoryLimit(l *int) *int32 {
	if l == nil {
		return nil
	}
	return int32Ptr(*l)
}

func updateStrategy(u compose.UpdateStrategy) appsv1.StatefulSetUpdateStrategy {
	out := appsv1.StatefulSetUpdateStrategy{Type: appsv1.StatefulSetUpdateStrategyType(u.Type)}
	if u.Type != compose.RollingUpdate || (u.Partition == 0 && u.MaxUnavailable == "") {
		return out
	}
	out.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{}
	if u.Partition > 0 {
		out.RollingUpdate.Partition = int32Ptr(u.Partition)
	}
	if u.MaxUnavailable != "" {
		mu := intstr.Parse(string(u.MaxUnavailable))
		out.RollingUpdate.MaxUnavailable = &mu
	}
	return out
}

func ordinals(o compose.Ordinals) *appsv1.StatefulSetOrdinals {
	if o.Start == 0 {
		return nil
	}
	return &appsv1.StatefulSetOrdinals{Start: int32(o.Start)}
}

func retention(r compose.RetentionPolicy) *appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy {
	return &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
		WhenScaled:  appsv1.PersistentVolumeClaimRetentionPolicyType(r.WhenScaled),
		WhenDeleted: appsv1.PersistentVolumeClaimRetentionPolicyType(r.WhenDeleted),
	}
}

// dependsOn has no Kubernetes equivalent (a cluster starts sets independently).
func (e *setExport) dependsOn(deps []string) {
	if len(deps) == 0 {
		return
	}
	sorted := append([]string(nil), deps...)
	sort.Strings(sorted)
	e.jsonAnnotation(AnnotationDependsOn, sorted)
	e.warn("dependsOn %v has no Kubernetes equivalent: the cluster starts the sets independently (kept in %s)", sorted, AnnotationDependsOn)
}

func int32Ptr(n int) *int32 {
	v := int32(n)
	return &v
}
