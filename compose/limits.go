package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Limits on what the loader accepts, so that what it accepts Docker can run and the daemon
// takes (the daemon validates with the same code).
const (
	// MaxFileBytes bounds an ordset file; real ones are a few KiB.
	MaxFileBytes = 1 << 20
	// MaxEnvEntryBytes is Linux's limit on one "NAME=value" entry or one argument
	// (MAX_ARG_STRLEN, 32 pages): a longer one makes exec fail with "argument list too long".
	MaxEnvEntryBytes = 128<<10 - 1
	// MaxExecBytes bounds a container's environment, command and arguments together. Linux
	// allows a quarter of the stack limit (2 MiB by default) for them and the image's own.
	MaxExecBytes = 1 << 20
	// MaxSpecBytes bounds the JSON of one apply; the daemon refuses larger request bodies.
	MaxSpecBytes = 16 << 20
)

// textProblem reports the first byte that makes data not text (a NUL, or invalid UTF-8),
// with its position, or nil.
func textProblem(name string, data []byte) *Problem {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		msg := ""
		switch {
		case r == 0:
			msg = "NUL byte: the file is not text (binary input?)"
		case r == utf8.RuneError && size == 1:
			msg = fmt.Sprintf("invalid UTF-8 byte 0x%02x: the file must be UTF-8 text", data[i])
		}
		if msg != "" {
			line := bytes.Count(data[:i], []byte("\n")) + 1
			col := utf8.RuneCount(data[bytes.LastIndexByte(data[:i], '\n')+1:i]) + 1
			return &Problem{File: name, Line: line, Col: col, Message: msg}
		}
		i += size
	}
	return nil
}

// sizeProblem refuses a file over MaxFileBytes before it is parsed.
func sizeProblem(name string, data []byte) *Problem {
	if len(data) <= MaxFileBytes {
		return nil
	}
	return &Problem{File: name, Line: 1, Col: 1, Message: fmt.Sprintf(
		"file is %.1f MiB; an ordset file is limited to %d MiB (put large data in a volume or a hostPath mount, not in the file)",
		float64(len(data))/(1<<20), MaxFileBytes>>20)}
}

// specProblem refuses a project whose statefulsets encode to more than the daemon accepts
// (YAML aliases can expand a small file).
func specProblem(name string, p *Project) *Problem {
	raw, err := json.Marshal(p.StatefulSets)
	if err != nil || len(raw) <= MaxSpecBytes {
		return nil
	}
	return &Problem{File: name, Line: 1, Col: 1, Message: fmt.Sprintf(
		"the statefulsets expand to %.1f MiB; the daemon accepts at most %d MiB (check for large repeated aliases)",
		float64(len(raw))/(1<<20), MaxSpecBytes>>20)}
}

// execLimits checks a container's environment, command and arguments against what exec
// accepts, at the field that breaks it.
func (c *checker) execLimits(path string, command, args []string, env EnvList) {
	total := 0
	for i, e := range env {
		n := len(e.Name) + 1 + len(e.Value) + 1
		total += n + 8 // and its pointer
		if n-1 > MaxEnvEntryBytes {
			c.add(fmt.Sprintf("%s.env[%d].value", path, i),
				"%s=... is %d KiB; Linux refuses an environment entry over 128 KiB (\"argument list too long\"): mount the data as a file instead",
				e.Name, (n-1)>>10)
		}
	}
	for _, list := range []struct {
		field string
		vals  []string
	}{{"command", command}, {"args", args}} {
		for i, a := range list.vals {
			total += len(a) + 1 + 8
			if len(a) > MaxEnvEntryBytes {
				c.add(fmt.Sprintf("%s.%s[%d]", path, list.field, i),
					"is %d KiB; Linux refuses an argument over 128 KiB (\"argument list too long\")", len(a)>>10)
			}
		}
	}
	if total > MaxExecBytes {
		c.add(path+".env", "environment, command and arguments take %d KiB together; a container starts with at most %d KiB of them",
			total>>10, MaxExecBytes>>10)
	}
}

// systemDirs are host directories a read-write mount can break the host through.
var systemDirs = []string{"/etc", "/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64", "/boot", "/dev", "/proc", "/sys",
	"/var/lib/docker", "/root"}

// dockerSockets give whoever holds them control of the engine, read-only or not.
var dockerSockets = []string{"/var/run/docker.sock", "/run/docker.sock"}

// hostPathWarning explains why mounting a host path deserves a second look, or "". Kubernetes
// allows any hostPath; a laptop tool says what a mount exposes. projectDir is the ordset file's
// directory: a mount of it or of a directory above it (e.g. through "..") shares more than the project.
func hostPathWarning(hostPath string, readOnly bool, projectDir string) string {
	p := filepath.Clean(hostPath)
	for _, s := range dockerSockets {
		if p == s {
			return "mounts the Docker socket: the pod controls the Docker engine (and so the host), read-only or not"
		}
	}
	if readOnly {
		return ""
	}
	switch {
	case p == "/":
		return "mounts the host's root directory read-write; add readOnly: true, or mount only what the pod needs"
	case isUnder(p, systemDirs):
		return fmt.Sprintf("mounts the system directory %s read-write; add readOnly: true if the pod only reads it", p)
	}
	if home, err := os.UserHomeDir(); err == nil && home != "/" && (p == home || isAncestor(p, home)) {
		return fmt.Sprintf("mounts %s read-write, your home directory or above; add readOnly: true, or mount a subdirectory", p)
	}
	if projectDir != "" && isAncestor(p, projectDir) {
		return fmt.Sprintf("mounts %s read-write, a directory above the ordset file's; add readOnly: true, or mount a subdirectory", p)
	}
	return ""
}

// isUnder reports whether p is one of dirs or inside one.
func isUnder(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// isAncestor reports whether dir is a strict ancestor of p.
func isAncestor(dir, p string) bool {
	rel, err := filepath.Rel(dir, filepath.Clean(p))
	return err == nil && rel != "." && !strings.HasPrefix(rel, "..")
}
