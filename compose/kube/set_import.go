package kube

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ordset/ordset/compose"
)

// setImport is the state of mapping one StatefulSet.
type setImport struct {
	*importer
	d       *doc
	set     *compose.StatefulSet
	base    string               // spec path of the set: statefulsets.<name>
	volumes map[string]volumeRef // pod volume name -> what ordset mounts
	ann     map[string]string
}

// volumeRef is what a pod volume is in ordset terms: a claim template or a host path.
type volumeRef struct {
	claim    string
	hostPath string
}

func (im *importer) set(sd *setDoc) *compose.StatefulSet {
	sts := sd.sts
	si := &setImport{importer: im, d: sd.d, set: &compose.StatefulSet{}, base: "statefulsets." + sd.d.name,
		volumes: map[string]volumeRef{}, ann: sts.Annotations}
	im.at[si.base] = sd.d.position("metadata.name")
	take(&sts.ObjectMeta) // name, namespace, labels, annotations (read above) and live fields
	take(&sts.TypeMeta)
	take(&sts.Status)
	spec := &sts.Spec
	si.policies(spec)
	si.selector(spec)
	si.claims(spec.VolumeClaimTemplates)
	pod := &spec.Template.Spec
	take(&spec.Template.ObjectMeta)
	si.podVolumes(pod.Volumes)
	si.podDefaults(pod)
	si.set.TerminationGracePeriodSeconds = take(&pod.TerminationGracePeriodSeconds)
	si.containers(pod)
	si.annotations()
	si.service()
	im.leftovers(sd.d, sts, "")
	return si.set
}

func (si *setImport) policies(spec *appsv1.StatefulSetSpec) {
	s := si.set
	if r := take(&spec.Replicas); r != nil {
		n := int(*r)
		s.Replicas = &n
		si.at[si.base+".replicas"] = si.d.position("spec.replicas")
	}
	s.ServiceName = take(&spec.ServiceName)
	s.PodManagementPolicy = string(take(&spec.PodManagementPolicy))
	s.UpdateStrategy.Type = string(take(&spec.UpdateStrategy.Type))
	if ru := spec.UpdateStrategy.RollingUpdate; ru != nil {
		if ru.Partition != nil {
			s.UpdateStrategy.Partition = int(*take(&ru.Partition))
		}
		if ru.MaxUnavailable != nil {
			s.UpdateStrategy.MaxUnavailable = compose.IntOrPercent(take(&ru.MaxUnavailable).String())
		}
	}
	s.MinReadySeconds = int(take(&spec.MinReadySeconds))
	if o := take(&spec.Ordinals); o != nil {
		s.Ordinals.Start = int(o.Start)
	}
	if r := take(&spec.PersistentVolumeClaimRetentionPolicy); r != nil {
		s.PersistentVolumeClaimRetentionPolicy = compose.RetentionPolicy{WhenScaled: string(r.WhenScaled), WhenDeleted: string(r.WhenDeleted)}
	}
	if l := take(&spec.RevisionHistoryLimit); l != nil && *l != 10 { // 10 is the default of both
		n := int(*l)
		s.RevisionHistoryLimit = &n
	}
}

// selector must pick the template's pods, as the API server requires.
func (si *setImport) selector(spec *appsv1.StatefulSetSpec) {
	sel := take(&spec.Selector)
	if sel == nil {
		si.probs = append(si.probs, si.d.problem("spec.selector", "is required"))
		return
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		si.probs = append(si.probs, si.d.problem("spec.selector", "%v", err))
		return
	}
	if !s.Matches(labels.Set(spec.Template.Labels)) {
		si.probs = append(si.probs, si.d.problem("spec.selector", "does not match the template's labels {%s}", labels.Set(spec.Template.Labels).String()))
	}
}

func (si *setImport) claims(ts []corev1.PersistentVolumeClaim) {
	for i := range ts {
		t := &ts[i]
		path := fmt.Sprintf("spec.volumeClaimTemplates[%d]", i)
		c := compose.VolumeClaimTemplate{Name: take(&t.Name)}
		si.at[fmt.Sprintf("%s.volumeClaimTemplates[%d]", si.base, i)] = si.d.position(path)
		take(&t.TypeMeta)
		take(&t.Status)
		t.ObjectMeta = metav1.ObjectMeta{Namespace: t.Namespace} // live or informational metadata
		if modes := take(&t.Spec.AccessModes); len(modes) > 0 && (len(modes) != 1 || modes[0] != corev1.ReadWriteOnce) {
			si.warn(si.d, path+".spec.accessModes", "ignored: a Docker volume is local to its host (ReadWriteOnce)")
		}
		if q, ok := t.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
			c.Size = q.String()
			delete(t.Spec.Resources.Requests, corev1.ResourceStorage)
		}
		if sc := take(&t.Spec.StorageClassName); sc != nil {
			c.StorageClassName = *sc
		}
		if m := t.Spec.VolumeMode; m != nil && *m == corev1.PersistentVolumeFilesystem {
			t.Spec.VolumeMode = nil
		}
		si.set.VolumeClaimTemplates = append(si.set.VolumeClaimTemplates, c)
		si.volumes[c.Name] = volumeRef{claim: c.Name}
	}
}

// podVolumes maps the pod volumes ordset can mount: hostPath volumes, and ConfigMaps that an
// export made from a host path (named in the host-paths annotation).
func (si *setImport) podVolumes(vols []corev1.Volume) {
	hostPaths := map[string]string{}
	si.annotation(AnnotationHostPaths, &hostPaths)
	for i := range vols {
		v := &vols[i]
		switch {
		case v.HostPath != nil:
			si.volumes[v.Name] = volumeRef{hostPath: take(&v.HostPath).Path}
		case v.ConfigMap != nil && hostPaths[v.Name] != "":
			si.used[take(&v.ConfigMap).Name] = true
			si.volumes[v.Name] = volumeRef{hostPath: hostPaths[v.Name]}
		default:
			si.probs = append(si.probs, si.d.problem(fmt.Sprintf("spec.template.spec.volumes[%d]", i),
				"volume %q: ordset mounts claims and host paths today (other volume types come with the pod model)", v.Name))
			*v = corev1.Volume{}
			continue
		}
		v.Name = ""
	}
}

// podDefaults drops the values the API server writes into every pod spec.
func (si *setImport) podDefaults(pod *corev1.PodSpec) {
	dropDefault(&pod.RestartPolicy, corev1.RestartPolicyAlways)
	dropDefault(&pod.DNSPolicy, corev1.DNSClusterFirst)
	dropDefault(&pod.SchedulerName, corev1.DefaultSchedulerName)
}

// annotations reads back what an export kept of ordset-only settings.
func (si *setImport) annotations() {
	s := si.set
	si.annotation(AnnotationDependsOn, &s.DependsOn)
	var host []compose.Port
	si.annotation(AnnotationHostPorts, &host)
	for _, hp := range host {
		for i := range s.Ports {
			pt := &s.Ports[i]
			if pt.ContainerPort == hp.ContainerPort && (hp.Protocol == "" || hp.Protocol == pt.Protocol) {
				pt.HostPort, pt.HostIP = hp.HostPort, hp.HostIP
			}
		}
	}
	drivers := map[string]driver{}
	si.annotation(AnnotationVolumeDrivers, &drivers)
	for i := range s.VolumeClaimTemplates {
		if dr, ok := drivers[s.VolumeClaimTemplates[i].Name]; ok {
			s.VolumeClaimTemplates[i].Driver, s.VolumeClaimTemplates[i].DriverOpts = dr.Driver, dr.DriverOpts
		}
	}
}

// annotation decodes one ordset.io annotation's JSON into dst; a broken value is an error.
func (si *setImport) annotation(key string, dst any) {
	v, ok := si.ann[key]
	if !ok {
		return
	}
	if err := json.Unmarshal([]byte(v), dst); err != nil {
		si.probs = append(si.probs, si.d.problem("metadata.annotations."+key, "is not valid JSON: %v", err))
	}
}

// service takes publishNotReadyAddresses from the set's headless Service.
func (si *setImport) service() {
	name := si.set.ServiceName
	if name == "" {
		name = si.d.name
	}
	sv, ok := si.services[name]
	if !ok {
		return
	}
	sv.used = true
	if sv.svc.Spec.ClusterIP != corev1.ClusterIPNone {
		si.warn(sv.d, "spec.clusterIP", "a StatefulSet's Service is served as headless (per-pod DNS names); ClusterIP load balancing is not served yet")
	}
	si.set.PublishNotReadyAddresses = sv.svc.Spec.PublishNotReadyAddresses
}
