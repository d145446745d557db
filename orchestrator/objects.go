package orchestrator

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/ordset/ordset/compose"
)

// Objects are the ConfigMaps and Secrets of a namespace as its pods read them: env
// references resolve against them, and configMap and secret volumes bind the files the
// daemon wrote under FilesDir (see VolumeFiles and FilesPath).
type Objects struct {
	ConfigMaps map[string]*compose.ConfigMap
	Secrets    map[string]*compose.Secret
	// FilesDir is the root of the written volume files; "" when there are none.
	FilesDir string
}

// Keys returns the decoded content of a ConfigMap (kind "configMap") or Secret, and whether
// it exists.
func (o Objects) Keys(kind, name string) (map[string][]byte, bool, error) {
	out := map[string][]byte{}
	switch kind {
	case "configMap":
		cm := o.ConfigMaps[name]
		if cm == nil {
			return nil, false, nil
		}
		for k, v := range cm.Data {
			out[k] = []byte(v)
		}
		for k, v := range cm.BinaryData {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, true, fmt.Errorf("configMap %s: binaryData %s: %w", name, k, err)
			}
			out[k] = b
		}
	default:
		sec := o.Secrets[name]
		if sec == nil {
			return nil, false, nil
		}
		for k, v := range sec.Data {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return nil, true, fmt.Errorf("secret %s: data %s: %w", name, k, err)
			}
			out[k] = b
		}
	}
	return out, true, nil
}

// VolumeFile is one file of a configMap or secret volume.
type VolumeFile struct {
	Path string // relative to the volume
	Data []byte
	Mode os.FileMode
}

// VolumeFiles lists the files of a configMap or secret volume, as the kubelet projects them:
// every key (or only the items, at their paths), with the item's mode or the defaultMode.
// A missing optional object yields an empty volume. Pure.
func VolumeFiles(v compose.Volume, o Objects) ([]VolumeFile, error) {
	kind, name, items, mode, optional := "configMap", "", []compose.KeyToPath(nil), compose.DefaultFileMode, false
	switch {
	case v.ConfigMap != nil:
		name, items, optional = v.ConfigMap.Name, v.ConfigMap.Items, isTrue(v.ConfigMap.Optional)
		if v.ConfigMap.DefaultMode != nil {
			mode = *v.ConfigMap.DefaultMode
		}
	case v.Secret != nil:
		kind, name, items, optional = "secret", v.Secret.SecretName, v.Secret.Items, isTrue(v.Secret.Optional)
		if v.Secret.DefaultMode != nil {
			mode = *v.Secret.DefaultMode
		}
	default:
		return nil, fmt.Errorf("volume %s: not a configMap or secret", v.Name)
	}
	keys, ok, err := o.Keys(kind, name)
	switch {
	case err != nil:
		return nil, fmt.Errorf("volume %s: %w", v.Name, err)
	case !ok && optional:
		return nil, nil
	case !ok:
		return nil, fmt.Errorf("volume %s: no %s named %s", v.Name, kind, name)
	}
	var files []VolumeFile
	if len(items) == 0 {
		for k, data := range keys {
			files = append(files, VolumeFile{Path: k, Data: data, Mode: os.FileMode(mode)})
		}
	}
	for _, it := range items {
		data, ok := keys[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, fmt.Errorf("volume %s: %s %s has no key %s", v.Name, kind, name, it.Key)
		}
		m := mode
		if it.Mode != nil {
			m = *it.Mode
		}
		files = append(files, VolumeFile{Path: it.Path, Data: data, Mode: os.FileMode(m)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// FilesPath is the host directory holding volume v's files for a set. It is keyed by the
// volume's definition and the set's config hash, so a changed ConfigMap gets a new
// directory (the rolled pods bind it) while pods of the old revision keep theirs.
func (o Objects) FilesPath(namespace string, s *compose.StatefulSet, v compose.Volume) string {
	b, _ := json.Marshal(struct {
		V    compose.Volume
		Hash string
	}{v, s.Template.Metadata.Annotations[compose.ConfigHashAnnotation]})
	sum := sha256.Sum256(b)
	return filepath.Join(o.FilesDir, namespace, s.Name, hex.EncodeToString(sum[:])[:16], v.Name)
}
