package kube

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ordset/ordset/compose"
)

// maxConfigMapBytes is the API server's limit on one ConfigMap's data.
const maxConfigMapBytes = 1 << 20

var configKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-._a-zA-Z0-9]+$`) })

// podVolumes maps the template's volumes: configMap, secret and emptyDir volumes 1:1, host
// paths as hostPathVolume decides (a mount of one is read-only when every mount is).
func (e *setExport) podVolumes(spec compose.PodSpec) {
	readOnly := map[string]bool{}
	for _, cs := range [][]compose.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			for _, m := range c.VolumeMounts {
				ro, seen := readOnly[m.Name]
				readOnly[m.Name] = m.ReadOnly && (ro || !seen)
			}
		}
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			name, sub := e.hostPathVolume(v.Name, *v.HostPath, readOnly[v.Name])
			e.exported[v.Name] = exportedVolume{name, sub}
			continue
		}
		var src corev1.VolumeSource
		convert(compose.Volume{EmptyDir: v.EmptyDir, ConfigMap: v.ConfigMap, Secret: v.Secret}, &src)
		e.volumes = append(e.volumes, corev1.Volume{Name: v.Name, VolumeSource: src})
	}
}

// mounts maps mounts of claims and volumes; a host path's mount follows where it went.
func (e *setExport) mounts(ms []compose.VolumeMount) []corev1.VolumeMount {
	var out []corev1.VolumeMount
	for _, m := range ms {
		vm := corev1.VolumeMount{Name: m.Name, MountPath: m.MountPath, SubPath: m.SubPath, SubPathExpr: m.SubPathExpr, ReadOnly: m.ReadOnly}
		if ev, ok := e.exported[m.Name]; ok {
			vm.Name = ev.name
			if ev.subPath != "" {
				vm.SubPath = ev.subPath
			}
		}
		out = append(out, vm)
	}
	return out
}

// hostPathVolume returns the pod volume (and subPath, for a file) that carries a host path
// volume into the cluster, under the volume's name. A cluster node does not have the developer's files, so a file or a
// directory of files becomes a ConfigMap (a copy, read-only); anything else stays a hostPath
// volume, which only works where the node has that path.
func (e *setExport) hostPathVolume(name string, hp compose.HostPathVolumeSource, readOnly bool) (string, string) {
	path := hp.Path
	if v, ok := e.hostVolumes[path]; ok {
		return v, fileSubPath(path, e.hostPaths[v] == path && isFile(path))
	}
	e.hostVolumes[path] = name
	data, binary, err := e.readHostPath(path)
	if err != nil {
		e.warn("hostPath %s: %v; exported as a hostPath volume, which exists only if the node has it", path, err)
		e.volumes = append(e.volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			HostPath: &corev1.HostPathVolumeSource{Path: path, Type: hostPathType(hp.Type)},
		}})
		return name, ""
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: e.meta(e.set.Name + "-" + name),
	}
	if len(data) > 0 {
		cm.Data = data
	}
	if len(binary) > 0 {
		cm.BinaryData = binary
	}
	e.configMaps = append(e.configMaps, cm)
	e.hostPaths[name] = path
	e.volumes = append(e.volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
		ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: cm.Name}},
	}})
	if !readOnly {
		e.warn("hostPath %s becomes ConfigMap %s, which the pod sees read-only", path, cm.Name)
	}
	return name, fileSubPath(path, isFile(path))
}

func fileSubPath(path string, file bool) string {
	if file {
		return filepath.Base(path)
	}
	return ""
}

func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// readHostPath reads a file, or a directory's regular files, as ConfigMap data (text) and
// binaryData; it warns about what a ConfigMap cannot hold (subdirectories, odd names, size).
func (e *setExport) readHostPath(path string) (map[string]string, map[string][]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read it (%w)", err)
	}
	files := map[string]string{}
	switch {
	case st.Mode().IsRegular():
		files[filepath.Base(path)] = path
	case st.IsDir():
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot list it (%w)", err)
		}
		for _, en := range entries {
			if en.Type().IsRegular() {
				files[en.Name()] = filepath.Join(path, en.Name())
			} else {
				e.warn("hostPath %s: %s is not a regular file and is left out of the ConfigMap", path, en.Name())
			}
		}
	default:
		return nil, nil, fmt.Errorf("is neither a file nor a directory")
	}
	data, binary := map[string]string{}, map[string][]byte{}
	total := 0
	for _, key := range sortedKeys(files) {
		b, err := os.ReadFile(files[key])
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read %s (%w)", key, err)
		}
		if !configKeyRE().MatchString(key) {
			e.warn("hostPath %s: file name %q is not a valid ConfigMap key and is left out", path, key)
			continue
		}
		total += len(b)
		if utf8.Valid(b) && !strings.ContainsRune(string(b), 0) {
			data[key] = string(b)
		} else {
			binary[key] = b
			e.warn("hostPath %s: %s is binary and goes into binaryData", path, key)
		}
	}
	if total > maxConfigMapBytes {
		e.warn("hostPath %s holds %d bytes, more than a ConfigMap's 1 MiB: the API server will refuse it; use an image or a volume", path, total)
	}
	return data, binary, nil
}

func hostPathType(t string) *corev1.HostPathType {
	if t == "" {
		return nil
	}
	ht := corev1.HostPathType(t)
	return &ht
}
