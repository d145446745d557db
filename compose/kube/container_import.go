package kube

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// common is what main and init containers share in the ordset spec.
type common struct {
	image, pull, workingDir, user string
	command, args                 []string
	env                           compose.EnvList
	mounts                        []compose.VolumeMount
}

// containers maps the one main container and the init containers; several main containers
// need the pod model that is not there yet.
func (si *setImport) containers(pod *corev1.PodSpec) {
	s := si.set
	users := map[string]string{}
	si.annotation(AnnotationUsers, &users)
	if len(pod.Containers) == 0 {
		si.probs = append(si.probs, si.d.problem("spec.template.spec.containers", "at least one container is required"))
		return
	}
	for i := 1; i < len(pod.Containers); i++ {
		si.probs = append(si.probs, si.d.problem(fmt.Sprintf("spec.template.spec.containers[%d]", i),
			"ordset runs one container per pod today (sidecars come with the pod model)"))
		pod.Containers[i] = corev1.Container{} // reported once, not field by field
	}
	c := &pod.Containers[0]
	path := "spec.template.spec.containers[0]"
	si.at[si.base+".image"] = si.d.position(path + ".image")
	if c.Name != si.d.name {
		si.warn(si.d, path+".name", "the container is named after the set (%s) on ordset; the name %q is not kept", si.d.name, c.Name)
	}
	cm := si.common(c, path, users)
	s.Image, s.ImagePullPolicy, s.WorkingDir, s.User = cm.image, cm.pull, cm.workingDir, cm.user
	s.Command, s.Args, s.Env, s.VolumeMounts = cm.command, cm.args, cm.env, cm.mounts
	s.Ports = si.ports(c, path)
	s.ReadinessProbe = si.probe(&c.ReadinessProbe, path+".readinessProbe")
	s.LivenessProbe = si.probe(&c.LivenessProbe, path+".livenessProbe")
	s.StartupProbe = si.probe(&c.StartupProbe, path+".startupProbe")
	r := take(&c.Resources)
	s.Resources = compose.Resources{
		Limits:   quantities(r.Limits),
		Requests: quantities(r.Requests),
	}
	if len(r.Claims) > 0 {
		si.probs = append(si.probs, si.d.problem(path+".resources.claims", "not supported by ordset (dynamic resource claims need a cluster)"))
	}
	for i := range pod.InitContainers {
		ic := &pod.InitContainers[i]
		ip := fmt.Sprintf("spec.template.spec.initContainers[%d]", i)
		si.at[fmt.Sprintf("%s.initContainers[%d]", si.base, i)] = si.d.position(ip)
		name := ic.Name
		cm := si.common(ic, ip, users)
		s.InitContainers = append(s.InitContainers, compose.InitContainer{
			Name: name, Image: cm.image, ImagePullPolicy: cm.pull, Command: cm.command, Args: cm.args,
			WorkingDir: cm.workingDir, User: cm.user, Env: cm.env, VolumeMounts: cm.mounts,
		})
	}
}

func (si *setImport) common(c *corev1.Container, path string, users map[string]string) common {
	name := c.Name
	c.Name = ""
	dropDefault(&c.TerminationMessagePath, corev1.TerminationMessagePathDefault)
	dropDefault(&c.TerminationMessagePolicy, corev1.TerminationMessageReadFile)
	return common{
		image: take(&c.Image), pull: string(take(&c.ImagePullPolicy)), workingDir: take(&c.WorkingDir),
		command: take(&c.Command), args: take(&c.Args),
		user:   importUser(c, users[name]),
		env:    importEnv(c.Env),
		mounts: si.mounts(c.VolumeMounts, path),
	}
}

// importEnv takes plain values and drops the identity fieldRefs ordset injects itself; any
// other value source stays for leftovers to report.
func importEnv(env []corev1.EnvVar) compose.EnvList {
	var out compose.EnvList
	for i := range env {
		v := &env[i]
		switch {
		case v.ValueFrom == nil:
			out = append(out, compose.EnvVar{Name: v.Name, Value: v.Value})
		case isIdentity(*v):
		default:
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

func (si *setImport) ports(c *corev1.Container, path string) []compose.Port {
	var out []compose.Port
	for i := range c.Ports {
		p := &c.Ports[i]
		pp := fmt.Sprintf("%s.ports[%d]", path, i)
		si.at[fmt.Sprintf("%s.ports[%d]", si.base, i)] = si.d.position(pp)
		si.at[fmt.Sprintf("%s.ports[%d].name", si.base, i)] = si.d.position(pp + ".name")
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
		vm := compose.VolumeMount{Name: ref.claim, MountPath: take(&m.MountPath), ReadOnly: take(&m.ReadOnly)}
		if ref.hostPath != "" {
			vm.HostPath = ref.hostPath
			if sp := take(&m.SubPath); sp != "" && !si.fromConfigMap(m.Name) {
				vm.HostPath = ref.hostPath + "/" + sp
			}
		} else if m.SubPath != "" {
			continue // a subPath of a claim: reported by leftovers
		}
		m.Name = ""
		out = append(out, vm)
	}
	return out
}

// fromConfigMap: an exported host file is a ConfigMap mounted with subPath = its base name;
// the annotation already names the file itself.
func (si *setImport) fromConfigMap(volume string) bool {
	hostPaths := map[string]string{}
	si.annotation(AnnotationHostPaths, &hostPaths)
	_, ok := hostPaths[volume]
	return ok
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
	return importProbe(take(pp))
}

func importProbe(p *corev1.Probe) *compose.Probe {
	out := &compose.Probe{
		InitialDelaySeconds: int(take(&p.InitialDelaySeconds)), TimeoutSeconds: int(take(&p.TimeoutSeconds)),
		PeriodSeconds: int(take(&p.PeriodSeconds)), SuccessThreshold: int(take(&p.SuccessThreshold)),
		FailureThreshold: int(take(&p.FailureThreshold)),
	}
	if e := p.Exec; e != nil {
		out.Exec = &compose.ExecAction{Command: e.Command}
	}
	if t := p.TCPSocket; t != nil {
		out.TCPSocket = &compose.TCPSocketAction{Host: t.Host, Port: importPort(t.Port)}
	}
	if h := p.HTTPGet; h != nil {
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
func quantities(l corev1.ResourceList) compose.ResourceList {
	if len(l) == 0 {
		return nil
	}
	out := compose.ResourceList{}
	for k, q := range l {
		out[string(k)] = q.String()
	}
	return out
}
