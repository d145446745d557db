package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
)

// objectStore keeps each namespace's ConfigMaps and Secrets in <state>/objects/<ns>.json
// (mode 0600 in a 0700 directory) and writes the files of configMap and secret volumes under
// <state>/volume-files. They stay out of the store on purpose: the store feeds describe,
// events and the revision history, which must never hold a secret value (the revision holds
// only the template's config hash). Values are kept base64, as Kubernetes keeps them, not
// encrypted: whoever can read this file runs as the daemon's user, who can inspect the
// containers the values were handed to anyway.
type objectStore struct {
	dir, filesDir string

	mu    sync.Mutex
	cache map[string]orchestrator.Objects
	svcs  map[string]map[string]*compose.Service // loaded with cache
}

// objectsFile also keeps the namespace's Services that select pods by label (not secret,
// but they live and change with the namespace's other objects).
type objectsFile struct {
	ConfigMaps map[string]*compose.ConfigMap `json:"configMaps,omitempty"`
	Secrets    map[string]*compose.Secret    `json:"secrets,omitempty"`
	Services   map[string]*compose.Service   `json:"services,omitempty"`
}

func newObjectStore(stateDir string) *objectStore {
	return &objectStore{dir: filepath.Join(stateDir, "objects"), filesDir: filepath.Join(stateDir, "volume-files"),
		cache: map[string]orchestrator.Objects{}, svcs: map[string]map[string]*compose.Service{}}
}

// get returns a namespace's objects (loading them once); an unreadable file reads as none,
// and the pods that need them fail to start with the missing object named.
func (o *objectStore) get(ns string) orchestrator.Objects {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.loadLocked(ns)
	if err != nil {
		return orchestrator.Objects{FilesDir: o.filesDir}
	}
	return obj
}

func (o *objectStore) loadLocked(ns string) (orchestrator.Objects, error) {
	if obj, ok := o.cache[ns]; ok {
		return obj, nil
	}
	obj := orchestrator.Objects{FilesDir: o.filesDir}
	b, err := os.ReadFile(filepath.Join(o.dir, ns+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return obj, nil
	}
	if err != nil {
		return obj, fmt.Errorf("read objects of namespace %s: %w", ns, err)
	}
	var f objectsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return obj, fmt.Errorf("read objects of namespace %s: %w", ns, err)
	}
	obj.ConfigMaps, obj.Secrets = f.ConfigMaps, f.Secrets
	o.cache[ns], o.svcs[ns] = obj, f.Services
	return obj, nil
}

// namespaces are the namespaces with an objects file (ConfigMaps, Secrets or Services).
func (o *objectStore) namespaces() []string {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if ns, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			out = append(out, ns)
		}
	}
	return out
}

// services returns a namespace's Services (loading them once); shared, read-only.
func (o *objectStore) services(ns string) map[string]*compose.Service {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := o.loadLocked(ns); err != nil {
		return nil
	}
	return o.svcs[ns]
}

// putServices replaces the namespace's Services with svcs (nil leaves them, unless prune:
// an apply with --prune names every object the namespace keeps) and writes the file
// atomically before the DNS server is told. It reports whether anything changed.
func (o *objectStore) putServices(ns string, svcs map[string]*compose.Service, prune bool) (bool, error) {
	if svcs == nil && !prune {
		return false, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.loadLocked(ns)
	if err != nil {
		return false, err
	}
	old, _ := json.Marshal(o.svcs[ns])
	now, _ := json.Marshal(svcs)
	if string(old) == string(now) {
		return false, nil
	}
	f := objectsFile{ConfigMaps: obj.ConfigMaps, Secrets: obj.Secrets, Services: svcs}
	if err := o.writeLocked(ns, f); err != nil {
		return false, err
	}
	o.svcs[ns] = svcs
	return true, nil
}

// dropServices removes the named Services of a namespace (all of them with all) and writes
// the file before the DNS server is told. It reports whether anything changed.
func (o *objectStore) dropServices(ns string, names []string, all bool) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.loadLocked(ns)
	if err != nil || len(o.svcs[ns]) == 0 {
		return false, err
	}
	keep := map[string]*compose.Service{}
	for k, v := range o.svcs[ns] {
		if !all && !slices.Contains(names, k) {
			keep[k] = v
		}
	}
	if len(keep) == len(o.svcs[ns]) {
		return false, nil
	}
	if err := o.writeLocked(ns, objectsFile{ConfigMaps: obj.ConfigMaps, Secrets: obj.Secrets, Services: keep}); err != nil {
		return false, err
	}
	o.svcs[ns] = keep
	return true, nil
}

func (o *objectStore) writeLocked(ns string, f objectsFile) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encode objects of namespace %s: %w", ns, err)
	}
	if err := writeFileAtomic(o.dir, ns+".json", b, 0o600); err != nil {
		return fmt.Errorf("write objects of namespace %s: %w", ns, err)
	}
	return nil
}

// merge adds or replaces the given objects of a namespace (objects not named stay) and
// writes the file atomically.
func (o *objectStore) merge(ns string, cms map[string]*compose.ConfigMap, secs map[string]*compose.Secret) error {
	if len(cms)+len(secs) == 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	obj, err := o.loadLocked(ns)
	if err != nil {
		return err
	}
	f := objectsFile{ConfigMaps: map[string]*compose.ConfigMap{}, Secrets: map[string]*compose.Secret{}, Services: o.svcs[ns]}
	for k, v := range obj.ConfigMaps {
		f.ConfigMaps[k] = v
	}
	for k, v := range obj.Secrets {
		f.Secrets[k] = v
	}
	for k, v := range cms {
		f.ConfigMaps[k] = v
	}
	for k, v := range secs {
		f.Secrets[k] = v
	}
	if err := o.writeLocked(ns, f); err != nil {
		return err
	}
	obj.ConfigMaps, obj.Secrets = f.ConfigMaps, f.Secrets
	o.cache[ns] = obj
	return nil
}

// writeVolumes writes the files of a set's configMap and secret volumes, once per content
// (the directory is keyed by it), with the modes the template asks for.
func (o *objectStore) writeVolumes(ns string, s *compose.StatefulSet) error {
	obj := o.get(ns)
	for _, v := range s.Template.Spec.Volumes {
		if v.ConfigMap == nil && v.Secret == nil {
			continue
		}
		files, err := orchestrator.VolumeFiles(v, obj)
		if err != nil {
			return fmt.Errorf("statefulset %s: %w", s.Name, err)
		}
		if err := writeVolumeDir(obj.FilesPath(ns, s, v), files); err != nil {
			return fmt.Errorf("statefulset %s: volume %s: %w", s.Name, v.Name, err)
		}
	}
	return nil
}

// writeVolumeDir fills dir with files unless it exists; it builds a sibling and renames it,
// so a pod never binds a half-written volume.
func writeVolumeDir(dir string, files []orchestrator.VolumeFile) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-"+filepath.Base(dir)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o600); err != nil {
			return err
		}
		if err := os.Chmod(p, f.Mode); err != nil { // exact mode, whatever the umask
			return err
		}
	}
	return os.Rename(tmp, dir)
}

// writeFileAtomic replaces dir/name with data at mode, through a temporary file.
func writeFileAtomic(dir, name string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+name+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), filepath.Join(dir, name))
}
