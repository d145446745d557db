package kube

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// container maps one container of the template; the pod model is core/v1's, so the mapping
// is field for field. The identity variables ordset injects become fieldRefs.
func (e *setExport) container(c compose.Container) corev1.Container {
	out := corev1.Container{
		Name:            c.Name,
		Image:           c.Image,
		ImagePullPolicy: corev1.PullPolicy(c.ImagePullPolicy),
		Command:         c.Command,
		Args:            c.Args,
		WorkingDir:      c.WorkingDir,
		Env:             exportEnv(c.Env),
		Ports:           e.ports(c.Ports),
		Resources:       e.resources(c.Resources),
		VolumeMounts:    e.mounts(c.VolumeMounts),
		ReadinessProbe:  probe(c.ReadinessProbe),
		LivenessProbe:   probe(c.LivenessProbe),
		StartupProbe:    probe(c.StartupProbe),
		SecurityContext: e.securityContext(c),
	}
	if len(c.EnvFrom) > 0 {
		convert(c.EnvFrom, &out.EnvFrom)
	}
	if c.Lifecycle != nil {
		out.Lifecycle = &corev1.Lifecycle{}
		convert(c.Lifecycle, out.Lifecycle)
	}
	if c.RestartPolicy != "" {
		rp := corev1.ContainerRestartPolicy(c.RestartPolicy)
		out.RestartPolicy = &rp
	}
	return out
}

// exportEnv writes the identity variables ordset injects as fieldRefs (unless the user sets
// them: user env wins, as on Docker), then the user's env in order, value sources included.
func exportEnv(env compose.EnvList) []corev1.EnvVar {
	set := map[string]bool{}
	for _, v := range env {
		set[v.Name] = true
	}
	var out []corev1.EnvVar
	for _, id := range identityEnv {
		if !set[id.name] {
			out = append(out, corev1.EnvVar{Name: id.name, ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{FieldPath: id.fieldPath},
			}})
		}
	}
	for _, v := range env {
		ev := corev1.EnvVar{Name: v.Name, Value: v.Value}
		if v.ValueFrom != nil {
			ev.ValueFrom = &corev1.EnvVarSource{}
			convert(v.ValueFrom, ev.ValueFrom)
		}
		out = append(out, ev)
	}
	return out
}

// securityContext is the container's own, plus ordset's user: "uid[:gid]" maps to
// runAsUser/runAsGroup; a user name has no Kubernetes field (the cluster runs the image's
// user by number only), so it is kept in an annotation.
func (e *setExport) securityContext(c compose.Container) *corev1.SecurityContext {
	var sc *corev1.SecurityContext
	if c.SecurityContext != nil {
		sc = &corev1.SecurityContext{}
		convert(c.SecurityContext, sc)
	}
	if c.User == "" {
		return sc
	}
	u, g, hasGroup := strings.Cut(c.User, ":")
	uid, uerr := strconv.ParseInt(u, 10, 64)
	gid, gerr := strconv.ParseInt(g, 10, 64)
	if uerr != nil || (hasGroup && gerr != nil) {
		e.users[c.Name] = c.User
		e.warn("container %s: user %q is not numeric; Kubernetes takes only runAsUser/runAsGroup numbers (kept in %s)", c.Name, c.User, AnnotationUsers)
		return sc
	}
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if sc.RunAsUser == nil {
		sc.RunAsUser = &uid
	}
	if hasGroup && sc.RunAsGroup == nil {
		sc.RunAsGroup = &gid
	}
	return sc
}

// ports writes container ports; a hostPort (published per ordinal on Docker) has no
// equivalent on a StatefulSet, where every pod would claim the same host port.
func (e *setExport) ports(ports []compose.Port) []corev1.ContainerPort {
	var out []corev1.ContainerPort
	var host []compose.Port
	for _, pt := range ports {
		out = append(out, corev1.ContainerPort{Name: pt.Name, ContainerPort: int32(pt.ContainerPort), Protocol: corev1.Protocol(pt.Protocol)})
		if pt.HostPort != 0 {
			host = append(host, pt)
			e.warn("port %d: hostPort %d + ordinal has no StatefulSet equivalent (use a Service or port-forward; kept in %s)", pt.ContainerPort, pt.HostPort, AnnotationHostPorts)
		}
	}
	e.hostPorts = append(e.hostPorts, host...)
	return out
}

func probe(p *compose.Probe) *corev1.Probe {
	if p == nil {
		return nil
	}
	out := &corev1.Probe{
		InitialDelaySeconds: int32(p.InitialDelaySeconds),
		TimeoutSeconds:      int32(p.TimeoutSeconds),
		PeriodSeconds:       int32(p.PeriodSeconds),
		SuccessThreshold:    int32(p.SuccessThreshold),
		FailureThreshold:    int32(p.FailureThreshold),
	}
	switch {
	case p.Exec != nil:
		out.Exec = &corev1.ExecAction{Command: p.Exec.Command}
	case p.TCPSocket != nil:
		out.TCPSocket = &corev1.TCPSocketAction{Host: p.TCPSocket.Host, Port: portRef(p.TCPSocket.Port)}
	case p.HTTPGet != nil:
		h := p.HTTPGet
		out.HTTPGet = &corev1.HTTPGetAction{Path: h.Path, Port: portRef(h.Port), Host: h.Host, Scheme: corev1.URIScheme(h.Scheme)}
		for _, hd := range h.HTTPHeaders {
			out.HTTPGet.HTTPHeaders = append(out.HTTPGet.HTTPHeaders, corev1.HTTPHeader{Name: hd.Name, Value: hd.Value})
		}
	}
	return out
}

func portRef(r compose.PortRef) intstr.IntOrString {
	if r.Number != 0 || r.Name == "" {
		return intstr.FromInt32(int32(r.Number))
	}
	return intstr.FromString(r.Name)
}

func (e *setExport) resources(r compose.Resources) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Limits: e.resourceList(r.Limits), Requests: e.resourceList(r.Requests)}
}

func (e *setExport) resourceList(l compose.ResourceList) corev1.ResourceList {
	if len(l) == 0 {
		return nil
	}
	out := corev1.ResourceList{}
	for k, v := range l {
		q, err := resource.ParseQuantity(v)
		if err != nil { // Load validated it; a quantity only ordset accepts is reported, not lost
			e.warn("resources %s %q is not a Kubernetes quantity: %v", k, v, err)
			continue
		}
		out[corev1.ResourceName(k)] = q
	}
	return out
}

// claims writes each claim template as a ReadWriteOnce PVC of the template's size. A Docker
// volume driver plays the storage class on Docker but has no meaning in a cluster.
func (e *setExport) claims(ts []compose.VolumeClaimTemplate) []corev1.PersistentVolumeClaim {
	var out []corev1.PersistentVolumeClaim
	drivers := map[string]driver{}
	for _, t := range ts {
		pvc := corev1.PersistentVolumeClaim{}
		pvc.Name = t.Name
		pvc.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
		if q, err := resource.ParseQuantity(t.Size); err == nil {
			pvc.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: q}
		} else {
			e.warn("claim %s: size %q is not a Kubernetes quantity: %v", t.Name, t.Size, err)
		}
		if t.StorageClassName != "" {
			sc := t.StorageClassName
			pvc.Spec.StorageClassName = &sc
		}
		if t.Driver != "" || len(t.DriverOpts) > 0 {
			drivers[t.Name] = driver{Driver: t.Driver, DriverOpts: t.DriverOpts}
			e.warn("claim %s: Docker volume driver %q has no Kubernetes meaning; pick a storageClassName (kept in %s)", t.Name, t.Driver, AnnotationVolumeDrivers)
		}
		out = append(out, pvc)
	}
	e.jsonAnnotation(AnnotationVolumeDrivers, drivers)
	return out
}

// driver is the Docker-only part of a claim template, as kept in AnnotationVolumeDrivers.
type driver struct {
	Driver     string            `json:"driver,omitempty"`
	DriverOpts map[string]string `json:"driverOpts,omitempty"`
}

// jsonAnnotation stores v (a non-empty map or slice) as JSON with sorted keys.
func (e *setExport) jsonAnnotation(key string, v any) {
	b, _ := json.Marshal(v)
	if s := string(b); s != "null" && s != "{}" && s != "[]" {
		e.annotations[key] = s
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
