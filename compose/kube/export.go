package kube

import (
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// Export builds the Kubernetes objects for a normalised project: its Namespace, then per set
// (in name order) the ConfigMaps made from host paths, the headless Service and the
// StatefulSet. What has no equivalent comes back as warnings (and annotations on the objects).
func Export(p *compose.Project) ([]any, []Warning) {
	ex := &exporter{ns: p.Namespace, services: map[string]string{}}
	objs := []any{&corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: p.Namespace, Labels: map[string]string{LabelManagedBy: managedBy}},
	}}
	for _, name := range p.SetNames() {
		objs = append(objs, ex.set(p.StatefulSets[name])...)
	}
	return objs, ex.warnings
}

// exporter carries what one export accumulates across sets.
type exporter struct {
	ns       string
	warnings []Warning
	services map[string]string // serviceName -> the set that owns the exported Service
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
}

func (e *setExport) warn(format string, args ...any) {
	e.warnings = append(e.warnings, Warning{Object: e.object, Message: fmt.Sprintf(format, args...)})
}

func (ex *exporter) set(s *compose.StatefulSet) []any {
	e := &setExport{
		exporter: ex, set: s, object: "StatefulSet/" + s.Name, annotations: map[string]string{},
		hostVolumes: map[string]string{}, hostPaths: map[string]string{}, users: map[string]string{},
	}
	pod := corev1.PodSpec{TerminationGracePeriodSeconds: s.TerminationGracePeriodSeconds}
	main := e.container(s.Name, s.Image, s.ImagePullPolicy, s.Command, s.Args, s.WorkingDir, s.User, s.Env, s.VolumeMounts)
	main.Ports = e.ports(s.Ports)
	main.ReadinessProbe = probe(s.ReadinessProbe)
	main.LivenessProbe = probe(s.LivenessProbe)
	main.StartupProbe = probe(s.StartupProbe)
	main.Resources = e.resources(s.Resources)
	pod.Containers = []corev1.Container{main}
	for _, ic := range s.InitContainers {
		image, pull := ic.Image, ic.ImagePullPolicy
		if image == "" { // ordset runs an init container without an image on the set's image
			image, pull = s.Image, s.ImagePullPolicy
		}
		pod.InitContainers = append(pod.InitContainers,
			e.container(ic.Name, image, pull, ic.Command, ic.Args, ic.WorkingDir, ic.User, ic.Env, ic.VolumeMounts))
	}
	pod.Volumes = e.volumes
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
				ObjectMeta: metav1.ObjectMeta{Labels: e.selector()},
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

// selector picks the set's pods; the same labels go on every object of the set.
func (e *setExport) selector() map[string]string {
	return map[string]string{LabelName: e.set.Name, LabelInstance: e.ns}
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
	for _, pt := range s.Ports {
		name := pt.Name
		if name == "" && len(s.Ports) > 1 { // a Service with several ports needs every one named
			name = fmt.Sprintf("%s-%d", lower(pt.Protocol), pt.ContainerPort)
		}
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: name, Port: int32(pt.ContainerPort), Protocol: corev1.Protocol(pt.Protocol),
			TargetPort: intstr.FromInt32(int32(pt.ContainerPort)),
		})
	}
	return svc
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
