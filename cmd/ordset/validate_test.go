package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const twoSets = `namespace: demo
statefulsets:
  web:
    image: nginx:1.27
    dependsOn: [redis]
  redis:
    image: ${REDIS_IMAGE:-redis:7.2}
    replicas: 3
`

// runIn runs the CLI in dir with the given environment and returns the exit
// code, stdout and stderr.
func runIn(t *testing.T, dir string, environ []string, args ...string) (int, string, string) {
	t.Helper()
	if dir != "" {
		t.Chdir(dir)
	}
	var out, errb bytes.Buffer
	env := &streams{Out: &out, Err: &errb, In: strings.NewReader(""), Environ: func() []string { return environ }}
	code := runStreams(context.Background(), append([]string{"ordset"}, args...), env)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", twoSets)
	writeFile(t, dir, "bad.yaml", "statefulsets:\n  redis:\n    replicas: -1\n    image: \"\"\n    dependsOn: [nope]\n")
	writeFile(t, dir, "one.yml", "statefulsets:\n  db: {image: postgres:16}\n")
	tests := []struct {
		name           string
		args           []string
		code           int
		stdout, stderr string
	}{
		{"found in cwd", []string{"validate"}, 0, "ordset.yaml: valid (namespace demo, 2 statefulsets: redis, web)\n", ""},
		{"-f after command", []string{"validate", "-f", "one.yml"}, 0, "one.yml: valid (namespace default, 1 statefulset: db)\n", ""},
		{"-n overrides", []string{"validate", "-n", "other"}, 0, "ordset.yaml: valid (namespace other, 2 statefulsets: redis, web)\n", ""},
		{"every problem", []string{"-f", "bad.yaml", "validate"}, 1, "",
			"bad.yaml:3:15: statefulsets.redis.replicas: must be >= 0, got -1\n" +
				"bad.yaml:4:12: statefulsets.redis.image: is required\n" +
				"bad.yaml:5:17: statefulsets.redis.dependsOn[0]: unknown statefulset \"nope\"\n"},
		{"missing file", []string{"validate", "-f", "nope.yaml"}, 1, "", "ordset: read ordset file: open nope.yaml: no such file or directory\n"},
		{"extra argument", []string{"validate", "x"}, 2, "", "ordset: validate takes no arguments (got \"x\"); name the file with -f FILE\nRun 'ordset validate --help' for usage.\n"},
		{"unknown flag", []string{"validate", "--bogus"}, 2, "", "ordset: unknown flag --bogus\nRun 'ordset validate --help' for usage.\n"},
		{"unknown command", []string{"frobnicate"}, 2, "", "ordset: unknown command \"frobnicate\"\nRun 'ordset --help' for usage.\n"},
		{"bad namespace", []string{"validate", "-n", "Demo"}, 2, "", "ordset: invalid --namespace: \"Demo\" is not a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)\nRun 'ordset --help' for usage.\n"},
		{"bad log level", []string{"validate", "--log-level", "loud"}, 2, "", "ordset: invalid --log-level \"loud\" (debug, info, warn or error)\nRun 'ordset --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runIn(t, dir, nil, tt.args...)
			if code != tt.code || stdout != tt.stdout || stderr != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q, stderr %q", code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestValidateNoFile(t *testing.T) {
	code, _, stderr := runIn(t, t.TempDir(), nil, "validate")
	if code != 1 || !strings.Contains(stderr, "no ordset.yaml or ordset.yml in the current directory") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestHelpDocumentsExitCodesAndExamples(t *testing.T) {
	code, stdout, _ := runIn(t, "", nil, "--help")
	if code != 0 || !strings.Contains(stdout, "2  usage error") || !strings.Contains(stdout, "validate") {
		t.Errorf("exit %d, help:\n%s", code, stdout)
	}
	code, stdout, _ = runIn(t, "", nil, "validate", "--help")
	if code != 0 || !strings.Contains(stdout, "ordset validate -f examples/redis/ordset.yaml") {
		t.Errorf("exit %d, validate help:\n%s", code, stdout)
	}
}

func TestValidateStdin(t *testing.T) {
	var out, errb bytes.Buffer
	env := &streams{Out: &out, Err: &errb, In: strings.NewReader("statefulsets:\n  db: {image: x, replicas: -2}\n")}
	code := runStreams(context.Background(), []string{"ordset", "validate", "-f", "-"}, env)
	want := "<stdin>:2:28: statefulsets.db.replicas: must be >= 0, got -2\n"
	if code != 1 || errb.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, errb.String(), want)
	}
}
