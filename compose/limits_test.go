package compose

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// loadErr loads src and returns its problems as text ("" when it loads).
func loadErr(t *testing.T, src string) string {
	t.Helper()
	_, err := LoadBytes("f.yaml", []byte(src), LoadOptions{Env: map[string]string{}, Dir: t.TempDir()})
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("not a ValidationError: %v", err)
	}
	return err.Error()
}

// TestInputLimits: what Docker cannot run, the daemon cannot take, or is not text is refused
// with its position and a sentence.
func TestInputLimits(t *testing.T) {
	big := strings.Repeat("x", 200<<10)
	many := "      V0: &v " + strings.Repeat("y", 120<<10) + "\n" // aliases make a small file a large environment
	for i := 1; i < 10; i++ {
		many += fmt.Sprintf("      V%d: *v\n", i)
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"env value over 128 KiB", "statefulsets:\n  a:\n    image: x\n    env:\n      BIG: " + big + "\n",
			`f.yaml:5:12: statefulsets.a.env[0].value: BIG=... is 200 KiB; Linux refuses an environment entry over 128 KiB`},
		{"argument over 128 KiB", "statefulsets:\n  a:\n    image: x\n    args: [ok, " + big + "]\n",
			`f.yaml:4:16: statefulsets.a.args[1]: is 200 KiB; Linux refuses an argument over 128 KiB`},
		{"environment over 1 MiB in total", "statefulsets:\n  a:\n    image: x\n    env:\n" + many,
			`f.yaml:5:7: statefulsets.a.env: environment, command and arguments take 1200 KiB together; a container starts with at most 1024 KiB of them`},
		{"file over 1 MiB", "statefulsets:\n  a:\n    image: x\n    env:\n      A: " + strings.Repeat("z", 1<<20) + "\n",
			`f.yaml:1:1: file is 1.0 MiB; an ordset file is limited to 1 MiB`},
		{"NUL byte", "statefulsets:\n  a:\n    imag\x00e: x\n", `f.yaml:3:9: NUL byte: the file is not text`},
		{"invalid UTF-8", "statefulsets:\n  \xff\xfe: {image: x}\n", `f.yaml:2:3: invalid UTF-8 byte 0xff: the file must be UTF-8 text`},
		{"binary garbage", "\x7fELF\x02\x01\x01\x00\x00\x00", `f.yaml:1:8: NUL byte`},
		{"multi-byte text before the fault", "# héllo wörld\nstatefulsets: {a: {image: \"x\x00\"}}\n", `f.yaml:2:29: NUL byte`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loadErr(t, tc.src); !strings.Contains(got, tc.want) {
				t.Errorf("got:\n%.300s\nwant it to contain:\n%s", got, tc.want)
			}
		})
	}
}

// TestAPIAgreesOnExecLimits: the daemon's validation (Normalize) refuses what the loader does.
func TestAPIAgreesOnExecLimits(t *testing.T) {
	one := 1
	p := &Project{Namespace: "demo", StatefulSets: map[string]*StatefulSet{"a": {Name: "a", Replicas: &one, Image: "x",
		Env: EnvList{{Name: "BIG", Value: strings.Repeat("x", 200<<10)}}}}}
	err := Normalize(p)
	if err == nil || !strings.Contains(err.Error(), "statefulsets.a.env[0].value: BIG=... is 200 KiB") {
		t.Fatalf("Normalize: %v", err)
	}
}

// TestHostPathWarnings: risky host paths load, with a located warning; readOnly quiets all
// but the Docker socket.
func TestHostPathWarnings(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		hostPath string
		readOnly bool
		want     string // "" for no warning
	}{
		{"/", false, "mounts the host's root directory read-write"},
		{"/", true, ""},
		{"/etc", false, "system directory /etc"},
		{"/etc/ssl/certs", true, ""},
		{"/usr/local/bin", false, "system directory /usr/local/bin"},
		{"/var/run/docker.sock", true, "mounts the Docker socket"},
		{"/run/docker.sock", false, "mounts the Docker socket"},
		{"./x/../../..", false, "read-write"},
		{"./data", false, ""},
		{"/srv/data", false, ""},
	} {
		ro := ""
		if tc.readOnly {
			ro = ", readOnly: true"
		}
		src := fmt.Sprintf("statefulsets:\n  a:\n    image: x\n    volumeMounts:\n      - {hostPath: %q, mountPath: /m%s}\n", tc.hostPath, ro)
		p, err := LoadBytes("f.yaml", []byte(src), LoadOptions{Env: map[string]string{}, Dir: dir})
		if err != nil {
			t.Fatalf("%s: %v", tc.hostPath, err)
		}
		got := ""
		for _, w := range p.Warnings {
			got += w.String()
		}
		switch {
		case tc.want == "" && got != "":
			t.Errorf("%s (readOnly %v): unexpected warning %s", tc.hostPath, tc.readOnly, got)
		case tc.want != "" && (!strings.Contains(got, "f.yaml:5:20: statefulsets.a.volumeMounts[0].hostPath: ") || !strings.Contains(got, tc.want)):
			t.Errorf("%s (readOnly %v): warning %q, want %q at its position", tc.hostPath, tc.readOnly, got, tc.want)
		}
	}
}
