package compose

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"unicode/utf8"
)

var (
	objectKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-._a-zA-Z0-9]+$`) })
	subdomainRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	})
	maxObjectKey = 253
)

// fileShape reports file-form mistakes the spec cannot show: flat container
// fields beside a containers list.
func (c *checker) fileShape(sf *setFile, path string) {
	if sf == nil || sf.flat() {
		return
	}
	for _, k := range flatKeys {
		if _, ok := c.w.keys[path+"."+k]; ok {
			c.addKey(path+"."+k, "with containers:, %s belongs to a container (containers[i].%s)", k, k)
		}
	}
	for _, k := range containerSecurityKeys {
		if _, ok := c.w.keys[path+".securityContext."+k]; ok {
			c.addKey(path+".securityContext."+k, "with containers:, %s belongs in containers[i].securityContext", k)
		}
	}
}

// readFiles folds each object's `files:` (and a Secret's stringData) into its
// data, so the rest of ordset sees Kubernetes' stored form only.
func (c *checker) readFiles(p *Project) {
	for _, name := range slices.Sorted(maps.Keys(p.ConfigMaps)) {
		cm, path := p.ConfigMaps[name], "configMaps."+name
		if cm == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(cm.Files)) {
			c.objectKey(k, path+".files."+k)
			b, ok := c.readFile(p.Dir, cm.Files[k], path+".files."+k)
			switch {
			case !ok:
			case cm.Data[k] != "" || cm.BinaryData[k] != "":
				c.addKey(path+".files."+k, "key %q is also in data or binaryData", k)
			case utf8.Valid(b):
				cm.Data = setKey(cm.Data, k, string(b))
			default:
				cm.BinaryData = setKey(cm.BinaryData, k, base64.StdEncoding.EncodeToString(b))
			}
		}
		cm.Files = nil
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		sec, path := p.Secrets[name], "secrets."+name
		if sec == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(sec.Data)) {
			if _, err := base64.StdEncoding.DecodeString(sec.Data[k]); err != nil {
				c.add(path+".data."+k, "must be base64 (use stringData for plain text)")
			}
		}
		for _, k := range slices.Sorted(maps.Keys(sec.Files)) {
			c.objectKey(k, path+".files."+k)
			if b, ok := c.readFile(p.Dir, sec.Files[k], path+".files."+k); ok {
				if _, dup := sec.Data[k]; dup {
					c.addKey(path+".files."+k, "key %q is also in data or stringData", k)
				}
				sec.Data = setKey(sec.Data, k, base64.StdEncoding.EncodeToString(b))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(sec.StringData)) { // stringData wins over data, as in Kubernetes
			sec.Data = setKey(sec.Data, k, base64.StdEncoding.EncodeToString([]byte(sec.StringData[k])))
		}
		sec.Files, sec.StringData = nil, nil
	}
}

func setKey(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// readFile reads a value file relative to the ordset file's directory.
func (c *checker) readFile(dir, name, path string) ([]byte, bool) {
	if name == "" {
		c.add(path, "must name a file")
		return nil, false
	}
	shown := name
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	st, err := os.Stat(name)
	if err == nil && st.Size() > MaxObjectBytes {
		c.add(path, "%s is %d bytes; a value holds at most %d", shown, st.Size(), MaxObjectBytes)
		return nil, false
	}
	b, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path as written is in the message already
		}
		c.add(path, "read %s: %v", shown, err)
		return nil, false
	}
	return b, true
}

// objects checks ConfigMap and Secret names, keys and sizes.
func (c *checker) objects(p *Project) {
	for _, name := range slices.Sorted(maps.Keys(p.ConfigMaps)) {
		cm, path := p.ConfigMaps[name], "configMaps."+name
		c.objectName(name, path)
		size := 0
		for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
			c.objectKey(k, path+".data."+k)
			size += len(k) + len(cm.Data[k])
		}
		for _, k := range slices.Sorted(maps.Keys(cm.BinaryData)) {
			c.objectKey(k, path+".binaryData."+k)
			if _, dup := cm.Data[k]; dup {
				c.addKey(path+".binaryData."+k, "key %q is also in data", k)
			}
			b, err := base64.StdEncoding.DecodeString(cm.BinaryData[k])
			if err != nil {
				c.add(path+".binaryData."+k, "must be base64")
			}
			size += len(k) + len(b)
		}
		c.objectSize(size, path)
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		sec, path := p.Secrets[name], "secrets."+name
		c.objectName(name, path)
		size := 0
		for _, k := range slices.Sorted(maps.Keys(sec.Data)) {
			c.objectKey(k, path+".data."+k)
			size += len(k) + base64.StdEncoding.DecodedLen(len(sec.Data[k]))
		}
		c.objectSize(size, path)
	}
}

func (c *checker) objectName(name, path string) {
	if len(name) > 253 || !subdomainRE().MatchString(name) {
		c.addKey(path, "%q is not a valid name (lowercase letters, digits, '-' and '.')", name)
	}
}

func (c *checker) objectKey(k, path string) {
	if len(k) > maxObjectKey || k == "." || k == ".." || !objectKeyRE().MatchString(k) {
		c.addKey(path, "%q is not a valid key (letters, digits, '-', '_', '.')", k)
	}
}

func (c *checker) objectSize(n int, path string) {
	if n > MaxObjectBytes {
		c.addKey(path, "holds %d bytes; at most %d", n, MaxObjectBytes)
	}
}

// configMapKeys returns the keys of a project ConfigMap and whether it exists.
func configMapKeys(p *Project, name string) (map[string]bool, bool) {
	cm := p.ConfigMaps[name]
	if cm == nil {
		return nil, false
	}
	keys := map[string]bool{}
	for _, m := range []map[string]string{cm.Data, cm.BinaryData} {
		for k := range m {
			keys[k] = true
		}
	}
	return keys, true
}

// secretKeys returns the keys of a project Secret and whether it exists.
func secretKeys(p *Project, name string) (map[string]bool, bool) {
	sec := p.Secrets[name]
	if sec == nil {
		return nil, false
	}
	keys := map[string]bool{}
	for k := range sec.Data {
		keys[k] = true
	}
	return keys, true
}
