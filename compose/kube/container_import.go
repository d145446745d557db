package kube

import (
	"fmt"
	"reflect"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// containers maps every container and init container 1:1 onto the pod model.
func (si *setImport) containers(pod *corev1.PodSpec) {
	spec := &si.set.Template.Spec
	users := map[string]string{}
	si.annotation(AnnotationUsers, &users)
	if len(pod.Containers) == 0 {
		si.probs = append(si.probs, si.d.problem("spec.template.spec.containers", "at least one container is required"))
		return
	}
	for i := range pod.Containers {
		path := fmt.Sprintf("spec.template.spec.containers[%d]", i)
		base := fmt.Sprintf("%s.containers[%d]", si.base, i)
		si.same(base, si.d, path)
		si.same(base+".image", si.d, path+".image")
		spec.Containers = append(spec.Containers, si.container(&pod.Containers[i], path, base, users))
	}
	for i := range pod.InitContainers {
		path := fmt.Sprintf("spec.template.spec.initContainers[%d]", i)
		base := fmt.Sprintf("%s.initContainers[%d]", si.base, i)
		si.same(base, si.d, path)
		spec.InitContainers = append(spec.InitContainers, si.container(&pod.InitContainers[i], path, base, users))
	}
}

// container maps one container; what the pod model lacks stays for leftovers to report.
func (si *setImport) container(c *corev1.Container, path, base string, users map[string]string) compose.Container {
	name := take(&c.Name)
	dropDefault(&c.TerminationMessagePath, corev1.TerminationMessagePathDefault)
	dropDefault(&c.TerminationMessagePolicy, corev1.TerminationMessageReadFile)
	if c.SecurityContext != nil {
		dropRuntimeDefault(&c.SecurityContext.SeccompProfile)
	}
	out := compose.Container{
		Name: name, Image: take(&c.Image), ImagePullPolicy: string(take(&c.ImagePullPolicy)), WorkingDir: take(&c.WorkingDir),
		Command: take(&c.Command), Args: take(&c.Args),
		User:         importUser(c, users[name]),
		Env:          importEnv(c.Env),
		VolumeMounts: si.mounts(c.VolumeMounts, path),
		Ports:        si.ports(c, path, base),
	}
	if ef := take(&c.EnvFrom); len(ef) > 0 {
		convert(ef, &out.EnvFrom)
	}
	out.ReadinessProbe = si.probe(&c.ReadinessProbe, path+".readinessProbe")
	out.LivenessProbe = si.probe(&c.LivenessProbe, path+".livenessProbe")
	out.StartupProbe = si.probe(&c.StartupProbe, path+".startupProbe")
	r := take(&c.Resources)
	out.Resources = compose.Resources{Limits: si.quantities(r.Limits, path, base, "limits"),
		Requests: si.quantities(r.Requests, path, base, "requests")}
	if len(r.Claims) > 0 {
		si.probs = append(si.probs, si.d.problem(path+".resources.claims", "not supported by ordset (dynamic resource claims need a cluster)"))
	}
	out.Lifecycle = importLifecycle(c)
	out.SecurityContext = importSecurityContext(c)
	if rp := take(&c.RestartPolicy); rp != nil {
		out.RestartPolicy = string(*rp)
	}
	return out
}

// importLifecycle takes the exec and httpGet handlers, the ones ordset runs; others stay.
func importLifecycle(c *corev1.Container) *compose.Lifecycle {
	l := c.Lifecycle
	if l == nil {
		return nil
	}
	handler := func(h **corev1.LifecycleHandler) *compose.LifecycleHandler {
		if *h == nil || (*h).TCPSocket != nil || (*h).Sleep != nil {
			return nil
		}
		out := &compose.LifecycleHandler{}
		*h = convertRest(*h, out)
		return out
	}
	out := &compose.Lifecycle{PostStart: handler(&l.PostStart), PreStop: handler(&l.PreStop)}
	if l.PostStart == nil && l.PreStop == nil && l.StopSignal == nil {
		c.Lifecycle = nil
	}
	if out.PostStart == nil && out.PreStop == nil {
		return nil
	}
	return out
}

// importSecurityContext takes the container fields the pod model has (runAsUser and
// runAsGroup went to user already); others stay.
func importSecurityContext(c *corev1.Container) *compose.SecurityContext {
	sc := c.SecurityContext
	if sc == nil {
		return nil
	}
	out := compose.SecurityContext{RunAsNonRoot: take(&sc.RunAsNonRoot), Privileged: take(&sc.Privileged),
		ReadOnlyRootFilesystem: take(&sc.ReadOnlyRootFilesystem), AllowPrivilegeEscalation: take(&sc.AllowPrivilegeEscalation)}
	if cp := take(&sc.Capabilities); cp != nil {
		convert(cp, &out.Capabilities)
	}
	if reflect.DeepEqual(*sc, corev1.SecurityContext{}) {
		c.SecurityContext = nil
	}
	if reflect.DeepEqual(out, compose.SecurityContext{}) {
		return nil
	}
	return &out
}

// importEnv takes plain values and value sources, and drops the identity fieldRefs ordset
// injects itself.
func importEnv(env []corev1.EnvVar) compose.EnvList {
	var out compose.EnvList
	for i := range env {
		v := &env[i]
		switch {
		case v.ValueFrom == nil:
			out = append(out, compose.EnvVar{Name: v.Name, Value: v.Value})
		case isIdentity(*v):
		default:
			ev := compose.EnvVar{Name: v.Name, ValueFrom: &compose.EnvVarSource{}}
			rest := convertRest(v.ValueFrom, ev.ValueFrom)
			out = append(out, ev)
			env[i] = corev1.EnvVar{ValueFrom: rest} // a source the model has no field for, for leftovers
			continue
		}
		env[i] = corev1.EnvVar{}
	}
	return out
}

func isIdentity(v corev1.EnvVar) bool {
	f := v.ValueFrom.FieldRef
	if f == nil || v.ValueFrom.ConfigMapKeyRef != nil || v.ValueFrom.SecretKeyRef != nil || v.ValueFrom.ResourceFieldRef != nil {
		return false
	}
	for _, id := range identityEnv {
		if id.name == v.Name && id.fieldPath == f.FieldPath {
			return true
		}
	}
	return false
}

// importUser turns runAsUser/runAsGroup into "uid[:gid]"; a user name kept by an export wins.
func importUser(c *corev1.Container, kept string) string {
	sc := c.SecurityContext
	if sc == nil {
		return kept
	}
	uid, gid := take(&sc.RunAsUser), take(&sc.RunAsGroup)
	switch {
	case kept != "":
		return kept
	case uid != nil && gid != nil:
		return strconv.FormatInt(*uid, 10) + ":" + strconv.FormatInt(*gid, 10)
	case uid != nil:
		return strconv.FormatInt(*uid, 10)
	case gid != nil:
		sc.RunAsGroup = gid // a group alone has no ordset form: reported by leftovers
	}
	return ""
}

func (si *setImport) ports(c *corev1.Container, path, base string) []compose.Port {
	var out []compose.Port
	for i := range c.Ports {
		p := &c.Ports[i]
		pp := fmt.Sprintf("%s.ports[%d]", path, i)
		si.same(fmt.Sprintf("%s.ports[%d]", base, i), si.d, pp)
		si.same(fmt.Sprintf("%s.ports[%d].name", base, i), si.d, pp+".name")
		if take(&p.HostPort) != 0 || take(&p.HostIP) != "" {
			si.warn(si.d, pp+".hostPort", "ignored: every pod of a set would claim the same host port; an ordset file publishes hostPort+ordinal instead")
		}
		out = append(out, compose.Port{Name: take(&p.Name), ContainerPort: int(take(&p.ContainerPort)), Protocol: string(take(&p.Protocol))})
	}
	return out
}

func (si *setImport) mounts(ms []corev1.VolumeMount, path string) []compose.VolumeMount {
	var out []compose.VolumeMount
	for i := range ms {
		m := &ms[i]
		ref, ok := si.volumes[m.Name]
		if !ok {
			if !si.hasPodVolume(m.Name) {
				si.probs = append(si.probs, si.d.problem(fmt.Sprintf("%s.volumeMounts[%d].name", path, i), "no volume or volumeClaimTemplate named %q", m.Name))
			}
			*m = corev1.VolumeMount{} // an unsupported volume is reported once, at the volume
			continue
		}
		vm := compose.VolumeMount{Name: take(&m.Name), MountPath: take(&m.MountPath), ReadOnly: take(&m.ReadOnly), SubPath: take(&m.SubPath),
			SubPathExpr: take(&m.SubPathExpr)}
		if ref.fileCopy != "" && vm.SubPath == ref.fileCopy {
			vm.SubPath = "" // the export's file inside its ConfigMap: the host path is the file
		}
		out = append(out, vm)
	}
	return out
}

func (si *setImport) hasPodVolume(name string) bool {
	n, _ := locate(si.d.node, splitPath("spec.template.spec.volumes"))
	for _, v := range n.Content {
		if vn, _ := locate(v, []string{"name"}); vn != v && vn.Value == name {
			return true
		}
	}
	return false
}

// probe maps a probe; a gRPC probe has no ordset handler yet and stays for leftovers.
func (si *setImport) probe(pp **corev1.Probe, path string) *compose.Probe {
	if *pp == nil || (*pp).GRPC != nil {
		return nil
	}
	out := importProbe(*pp)
	if reflect.DeepEqual(**pp, corev1.Probe{}) {
		*pp = nil // else what the model has no field for (terminationGracePeriodSeconds) stays for leftovers
	}
	return out
}

// importProbe takes the probe fields the model has.
func importProbe(p *corev1.Probe) *compose.Probe {
	out := &compose.Probe{
		InitialDelaySeconds: int(take(&p.InitialDelaySeconds)), TimeoutSeconds: int(take(&p.TimeoutSeconds)),
		PeriodSeconds: int(take(&p.PeriodSeconds)), SuccessThreshold: int(take(&p.SuccessThreshold)),
		FailureThreshold: int(take(&p.FailureThreshold)),
	}
	if e := take(&p.Exec); e != nil {
		out.Exec = &compose.ExecAction{Command: e.Command}
	}
	if t := take(&p.TCPSocket); t != nil {
		out.TCPSocket = &compose.TCPSocketAction{Host: t.Host, Port: importPort(t.Port)}
	}
	if h := take(&p.HTTPGet); h != nil {
		out.HTTPGet = &compose.HTTPGetAction{Path: h.Path, Port: importPort(h.Port), Host: h.Host, Scheme: string(h.Scheme)}
		for _, hd := range h.HTTPHeaders {
			out.HTTPGet.HTTPHeaders = append(out.HTTPGet.HTTPHeaders, compose.HTTPHeader{Name: hd.Name, Value: hd.Value})
		}
	}
	return out
}

func importPort(p intstr.IntOrString) compose.PortRef {
	if p.Type == intstr.String {
		return compose.PortRef{Name: p.StrVal}
	}
	return compose.PortRef{Number: int(p.IntVal)}
}

// quantities maps a resource list (compose writes quantities canonically, as here).
// quantities maps one resource list. ephemeral-storage (which charts set by default) is
// warned about and left out: the engine limits a writable layer only on some storage
// drivers. Every other name goes on, each at its own position, for the loader to check.
func (si *setImport) quantities(l corev1.ResourceList, path, base, part string) compose.ResourceList {
	if len(l) == 0 {
		return nil
	}
	out := compose.ResourceList{}
	for k, q := range l {
		field := fmt.Sprintf("%s.resources.%s.%s", path, part, k)
		if k == corev1.ResourceEphemeralStorage {
			si.warn(si.d, field, "ignored: ordset does not limit a container's writable layer or logs")
			continue
		}
		si.same(fmt.Sprintf("%s.resources.%s.%s", base, part, k), si.d, field)
		out[string(k)] = q.String()
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
