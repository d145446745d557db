package kube

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"

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
	// exported: the set carries ordset's managed-by label, so its template's selector labels
	// are the ones an export adds, not the user's.
	exported bool
}

// volumeRef is a pod volume or claim template a mount may name; fileCopy is the subPath an
// export gave a host file it copied into a ConfigMap (the mount takes the file itself).
type volumeRef struct {
	fileCopy string
}

func (im *importer) set(sd *setDoc) *compose.StatefulSet {
	sts := sd.sts
	si := &setImport{importer: im, d: sd.d, set: &compose.StatefulSet{}, base: "statefulsets." + sd.d.name,
		volumes: map[string]volumeRef{}, ann: sts.Annotations, exported: sts.Labels[LabelManagedBy] == managedBy}
	im.at[si.base] = sd.d.position("metadata.name")
	take(&sts.ObjectMeta) // name, namespace, labels, annotations (read above) and live fields
	take(&sts.TypeMeta)
	take(&sts.Status)
	spec := &sts.Spec
	si.policies(spec)
	si.selector(spec)
	si.claims(spec.VolumeClaimTemplates)
	pod := &spec.Template.Spec
	si.podMeta(&spec.Template.ObjectMeta)
	si.podVolumes(pod.Volumes)
	si.podDefaults(pod)
	si.podFields(pod)
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
		si.same(si.base+".replicas", si.d, "spec.replicas")
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
		si.same(fmt.Sprintf("%s.volumeClaimTemplates[%d]", si.base, i), si.d, path)
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
		si.volumes[c.Name] = volumeRef{}
	}
}

// podMeta keeps the template's labels (but the selector labels of an ordset export) and
// annotations; the rest of its metadata is live or informational.
func (si *setImport) podMeta(m *metav1.ObjectMeta) {
	md := &si.set.Template.Metadata
	var own []string
	si.annotation(AnnotationTemplateLabels, &own)
	for k, v := range take(&m.Labels) {
		if si.exported && (k == LabelName || k == LabelInstance) && !slices.Contains(own, k) {
			continue
		}
		if md.Labels == nil {
			md.Labels = map[string]string{}
		}
		md.Labels[k] = v
	}
	for k, v := range take(&m.Annotations) {
		if k == compose.ConfigHashAnnotation {
			continue // computed again from the objects
		}
		if md.Annotations == nil {
			md.Annotations = map[string]string{}
		}
		md.Annotations[k] = v
	}
	*m = metav1.ObjectMeta{}
}

// podFields maps the pod-level fields the pod model has, 1:1.
func (si *setImport) podFields(pod *corev1.PodSpec) {
	spec := &si.set.Template.Spec
	spec.TerminationGracePeriodSeconds = take(&pod.TerminationGracePeriodSeconds)
	spec.ShareProcessNamespace = take(&pod.ShareProcessNamespace)
	if sc := pod.SecurityContext; sc != nil {
		out := compose.PodSecurityContext{RunAsUser: take(&sc.RunAsUser), RunAsGroup: take(&sc.RunAsGroup),
			RunAsNonRoot: take(&sc.RunAsNonRoot), FSGroup: take(&sc.FSGroup), SupplementalGroups: take(&sc.SupplementalGroups)}
		if ss := take(&sc.Sysctls); len(ss) > 0 {
			convert(ss, &out.Sysctls)
		}
		if reflect.DeepEqual(*sc, corev1.PodSecurityContext{}) {
			pod.SecurityContext = nil
		}
		if !reflect.DeepEqual(out, compose.PodSecurityContext{}) {
			spec.SecurityContext = &out
		}
	}
	if ha := take(&pod.HostAliases); len(ha) > 0 {
		convert(ha, &spec.HostAliases)
	}
	if dc := take(&pod.DNSConfig); dc != nil {
		spec.DNSConfig = &compose.PodDNSConfig{}
		pod.DNSConfig = convertRest(dc, spec.DNSConfig)
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"nodeSelector", len(pod.NodeSelector) > 0}, {"affinity", pod.Affinity != nil}, {"tolerations", len(pod.Tolerations) > 0},
		{"topologySpreadConstraints", len(pod.TopologySpreadConstraints) > 0}, {"priorityClassName", pod.PriorityClassName != ""},
		{"priority", pod.Priority != nil}} {
		if f.set { // kept in the spec, so an export writes them back; the loader warns, here
			si.same(si.base+"."+f.name, si.d, "spec.template.spec."+f.name)
		}
	}
	sch := struct {
		NodeSelector              map[string]string                 `json:"nodeSelector,omitempty"`
		Affinity                  *corev1.Affinity                  `json:"affinity,omitempty"`
		Tolerations               []corev1.Toleration               `json:"tolerations,omitempty"`
		TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`
		PriorityClassName         string                            `json:"priorityClassName,omitempty"`
		Priority                  *int32                            `json:"priority,omitempty"`
	}{take(&pod.NodeSelector), take(&pod.Affinity), take(&pod.Tolerations), take(&pod.TopologySpreadConstraints),
		take(&pod.PriorityClassName), take(&pod.Priority)}
	convert(sch, &spec.Scheduling)
}

// podVolumes maps the pod volumes: hostPath, configMap, secret and emptyDir 1:1, and a
// ConfigMap that an export made from a host path (named in the host-paths annotation) back
// to that host path.
func (si *setImport) podVolumes(vols []corev1.Volume) {
	hostPaths := map[string]string{}
	si.annotation(AnnotationHostPaths, &hostPaths)
	spec := &si.set.Template.Spec
	for i := range vols {
		v := &vols[i]
		out := compose.Volume{Name: v.Name}
		ref := volumeRef{}
		switch {
		case v.HostPath != nil:
			hp := take(&v.HostPath)
			out.HostPath = &compose.HostPathVolumeSource{Path: hp.Path}
			if hp.Type != nil {
				out.HostPath.Type = string(*hp.Type)
			}
		case v.ConfigMap != nil && hostPaths[v.Name] != "":
			si.used[take(&v.ConfigMap).Name] = true
			out.HostPath = &compose.HostPathVolumeSource{Path: hostPaths[v.Name]}
			ref.fileCopy = filepath.Base(hostPaths[v.Name])
		case v.ConfigMap != nil, v.Secret != nil, v.EmptyDir != nil:
			var src struct {
				EmptyDir  *compose.EmptyDirVolumeSource  `json:"emptyDir,omitempty"`
				ConfigMap *compose.ConfigMapVolumeSource `json:"configMap,omitempty"`
				Secret    *compose.SecretVolumeSource    `json:"secret,omitempty"`
			}
			rest := convertRest(corev1.VolumeSource{ConfigMap: take(&v.ConfigMap), Secret: take(&v.Secret), EmptyDir: take(&v.EmptyDir)}, &src)
			v.ConfigMap, v.Secret, v.EmptyDir = rest.ConfigMap, rest.Secret, rest.EmptyDir // fields the model lacks, for leftovers
			out.Name, out.EmptyDir, out.ConfigMap, out.Secret = v.Name, src.EmptyDir, src.ConfigMap, src.Secret
		default:
			si.probs = append(si.probs, si.d.problem(fmt.Sprintf("spec.template.spec.volumes[%d]", i),
				"volume %q: ordset mounts claims, hostPath, configMap, secret and emptyDir volumes", v.Name))
			*v = corev1.Volume{}
			continue
		}
		si.volumes[v.Name] = ref
		v.Name = ""
		spec.Volumes = append(spec.Volumes, out)
	}
}

// podDefaults drops the values the API server writes into every pod spec.
func (si *setImport) podDefaults(pod *corev1.PodSpec) {
	dropDefault(&pod.RestartPolicy, corev1.RestartPolicyAlways)
	dropDefault(&pod.DNSPolicy, corev1.DNSClusterFirst)
	dropDefault(&pod.SchedulerName, corev1.DefaultSchedulerName)
	if sc := pod.SecurityContext; sc != nil {
		if sc.FSGroupChangePolicy != nil && *sc.FSGroupChangePolicy == corev1.FSGroupChangeAlways {
			sc.FSGroupChangePolicy = nil // what ordset does: fsGroup applied to the whole volume
		}
		dropRuntimeDefault(&sc.SeccompProfile)
	}
}

// dropRuntimeDefault forgets a seccompProfile of type RuntimeDefault: that is the engine's
// default profile, which every container gets anyway. Charts set it on every pod and
// container, so refusing it would refuse them all.
func dropRuntimeDefault(p **corev1.SeccompProfile) {
	if sp := *p; sp != nil && sp.Type == corev1.SeccompProfileTypeRuntimeDefault && sp.LocalhostProfile == nil {
		*p = nil
	}
}

// annotations reads back what an export kept of ordset-only settings.
func (si *setImport) annotations() {
	s := si.set
	si.annotation(AnnotationDependsOn, &s.DependsOn)
	var host []compose.Port
	si.annotation(AnnotationHostPorts, &host)
	for _, hp := range host {
		for ci := range s.Template.Spec.Containers {
			ports := s.Template.Spec.Containers[ci].Ports
			for i := range ports {
				pt := &ports[i]
				if pt.ContainerPort == hp.ContainerPort && (hp.Protocol == "" || hp.Protocol == pt.Protocol) {
					pt.HostPort, pt.HostIP = hp.HostPort, hp.HostIP
				}
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

// service takes publishNotReadyAddresses and the port names (which name the SRV records)
// from the set's headless Service.
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
		si.warn(sv.d, "spec.clusterIP", "a StatefulSet's own Service is served as headless (per-pod names and the Ready pods' addresses, no virtual IP); for a second name over the same pods, add a Service with another name")
	}
	si.set.PublishNotReadyAddresses = sv.svc.Spec.PublishNotReadyAddresses
	if ports := si.servicePorts(sv, si.base+".servicePorts"); !sameServicePorts(ports, si.set.OwnServicePorts()) {
		si.set.ServicePorts = ports
	}
	si.serviceWarnings(sv)
	for _, n := range ownServiceNotes(sv.svc.Spec, si.set.Template.Metadata.Labels) {
		si.warn(sv.d, n.path, "%s", n.message)
	}
}
