package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"
	"sort"
)

// podRevisionInput is the part of a set that shapes each pod. Its JSON encoding
// is the input of Revision.
type podRevisionInput struct {
	ServiceName          string                `json:"serviceName"`
	Template             PodTemplateSpec       `json:"template"`
	VolumeClaimTemplates []VolumeClaimTemplate `json:"volumeClaimTemplates"`
}

// Revision is the template hash of a loaded set: the first 10 hex characters
// of the SHA-256 of the canonical JSON (struct field order, sorted map keys,
// env in document order, probe ports as numbers) of its serviceName, pod
// template and volumeClaimTemplates. The template's annotations include
// ConfigHashAnnotation, so a change to a ConfigMap or Secret the set uses
// changes the revision too (Kubernetes does not roll then; ordset does).
//
// It deliberately leaves out replicas, ordinals, updateStrategy (and its
// partition), persistentVolumeClaimRetentionPolicy, dependsOn,
// podManagementPolicy, minReadySeconds and publishNotReadyAddresses: changing
// those never recreates a pod. Pods are labelled with it; a pod whose label
// differs from the set's current Revision is out of date and gets rolled.
// Call it on a set returned by Load so defaults are part of the hash.
func Revision(s *StatefulSet) string {
	return shortHash(podRevisionInput{ServiceName: s.ServiceName, Template: s.Template, VolumeClaimTemplates: dockerClaims(s.VolumeClaimTemplates)}, 10)
}

func shortHash(v any, n int) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported types fail to encode, and the spec types have none.
		panic("compose: encode for hash: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:n]
}

// AnnotationPrefix starts the pod-template annotations ordset writes itself.
const AnnotationPrefix = "ordset.io/"

// ConfigHashAnnotation carries a hash of the content of every ConfigMap and
// Secret a set uses (the Helm "checksum/config" idiom), so the revision, and
// with it a rolling update, follows their content. It holds a hash only,
// never a value.
const ConfigHashAnnotation = AnnotationPrefix + "config-hash"

// References lists the ConfigMaps and Secrets a set's template uses, sorted and deduplicated.
func References(s *StatefulSet) (configMaps, secrets []string) {
	cms, secs := map[string]bool{}, map[string]bool{}
	spec := &s.Template.Spec
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil {
			cms[v.ConfigMap.Name] = true
		}
		if v.Secret != nil {
			secs[v.Secret.SecretName] = true
		}
	}
	for _, cs := range [][]Container{spec.InitContainers, spec.Containers} {
		for _, ct := range cs {
			for _, e := range ct.Env {
				if vf := e.ValueFrom; vf != nil && vf.ConfigMapKeyRef != nil {
					cms[vf.ConfigMapKeyRef.Name] = true
				} else if vf != nil && vf.SecretKeyRef != nil {
					secs[vf.SecretKeyRef.Name] = true
				}
			}
			for _, ef := range ct.EnvFrom {
				if ef.ConfigMapRef != nil {
					cms[ef.ConfigMapRef.Name] = true
				} else if ef.SecretRef != nil {
					secs[ef.SecretRef.Name] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(cms)), slices.Sorted(maps.Keys(secs))
}

// addConfigHashes sets ConfigHashAnnotation on every set that uses a
// ConfigMap or Secret; sets that use none keep their annotations as written.
func addConfigHashes(p *Project) {
	for _, s := range p.StatefulSets {
		cms, secs := References(s)
		if len(cms)+len(secs) == 0 {
			continue
		}
		type object struct {
			Kind, Name string
			Data       map[string]string
			Binary     map[string]string
		}
		var objs []object
		for _, n := range cms {
			if cm := p.ConfigMaps[n]; cm != nil {
				objs = append(objs, object{"ConfigMap", n, cm.Data, cm.BinaryData})
			}
		}
		for _, n := range secs {
			if sec := p.Secrets[n]; sec != nil {
				objs = append(objs, object{"Secret", n, sec.Data, nil})
			}
		}
		sort.SliceStable(objs, func(i, j int) bool { return objs[i].Kind < objs[j].Kind })
		md := &s.Template.Metadata
		if md.Annotations == nil {
			md.Annotations = map[string]string{}
		}
		md.Annotations[ConfigHashAnnotation] = shortHash(objs, 16)
	}
}

// dockerClaims drops the claim fields only an export uses (size, storage class): a Docker
// volume has neither, so changing them must not recreate pods.
func dockerClaims(ts []VolumeClaimTemplate) []VolumeClaimTemplate {
	out := make([]VolumeClaimTemplate, len(ts))
	for i, t := range ts {
		t.Size, t.StorageClassName = "", ""
		out[i] = t
	}
	if ts == nil {
		return nil
	}
	return out
}
