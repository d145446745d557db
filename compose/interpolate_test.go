package compose

import (
	"errors"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	env := map[string]string{"SET": "value", "EMPTY": "", "PORT": "6379"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${SET}", want: "value"},
		{in: "a${SET}b${PORT}c", want: "avalueb6379c"},
		{in: "${UNSET}", want: ""},
		{in: "${UNSET:-def}", want: "def"},
		{in: "${EMPTY:-def}", want: "def"},
		{in: "${EMPTY-def}", want: ""},
		{in: "${UNSET-def}", want: "def"},
		{in: "${SET:-def}", want: "value"},
		{in: "${UNSET:-}", want: ""},
		{in: "${UNSET:-${SET}}", want: "value"},
		{in: "${UNSET:-${ALSO_UNSET:-deep}}", want: "deep"},
		{in: "${UNSET:-a:b-c?d}", want: "a:b-c?d"},
		{in: "${SET:?must be set}", want: "value"},
		{in: "${EMPTY?}", want: ""},
		{in: "$$", want: "$"},
		{in: "$${SET}", want: "${SET}"},
		{in: "$$$${SET}", want: "$${SET}"},
		{in: "cost $5 and $HOME", want: "cost $5 and $HOME"},
		{in: "trailing $", want: "trailing $"},
		{in: "${UNSET:-$$}", want: "$"},
		{in: "${UNSET:?set UNSET to the port}", err: "required variable UNSET: set UNSET to the port"},
		{in: "${EMPTY:?}", err: "required variable EMPTY: must be set and non-empty"},
		{in: "${UNSET?}", err: "required variable UNSET: must be set"},
		{in: "${UNSET:?port ${PORT} wanted}", err: "required variable UNSET: port 6379 wanted"},
		{in: "${SET", err: `unterminated ${ in "${SET"`},
		{in: "x ${UNSET:-${SET}", err: "unterminated ${"},
		{in: "${}", err: `invalid variable name ""`},
		{in: "${1X}", err: `invalid variable name "1X"`},
		{in: "${A B}", err: `invalid variable name "A B"`},
		{in: "${SET:x}", err: "expected :- or :? after the name"},
	}
	for _, tt := range tests {
		got, err := Interpolate(tt.in, lookup)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Interpolate(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.err)
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("Interpolate(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestInterpolationPositions checks errors point at the scalar holding the
// ${...}, and that interpolated plain scalars are re-typed (ints stay ints).
func TestInterpolationPositions(t *testing.T) {
	src := "statefulsets:\n  db:\n    image: x\n    replicas: ${N}\n    env:\n      A: '${MISSING:?need MISSING}'\n    args: [ok, \"${OPEN\"]\n"
	_, err := LoadBytes("f.yaml", []byte(src), LoadOptions{Env: map[string]string{"N": "2"}, Dir: t.TempDir()})
	want := "f.yaml:6:10: statefulsets.db.env[0].value: required variable MISSING: need MISSING\n" +
		"f.yaml:7:16: statefulsets.db.args[1]: unterminated ${ in \"${OPEN\""
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}

	// In flow style ${...} must be quoted; number and boolean fields still
	// get numbers, string fields keep strings whatever the value looks like.
	src = "statefulsets:\n  db: {image: \"${N}\", replicas: \"${N}\", user: '${N}', publishNotReadyAddresses: \"${T}\", env: {A: \"${T}\", B: '${NULL}'}}\n"
	p, err := LoadBytes("f.yaml", []byte(src), LoadOptions{Env: map[string]string{"N": "2", "T": "true", "NULL": "null"}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	db := p.StatefulSets["db"]
	if db.ReplicaCount() != 2 || db.Main().User != "2" || db.Main().Image != "2" || !db.PublishNotReadyAddresses {
		t.Errorf("replicas %d user %q image %q publish %v", db.ReplicaCount(), db.Main().User, db.Main().Image, db.PublishNotReadyAddresses)
	}
	if db.Main().Env[0].Value != "true" || db.Main().Env[1].Value != "null" {
		t.Errorf("env %v; want values kept as strings", db.Main().Env)
	}

	_, err = LoadBytes("f.yaml", []byte("statefulsets:\n  db:\n    image: x\n    replicas: ${N}\n"), LoadOptions{Env: map[string]string{"N": "many"}, Dir: t.TempDir()})
	if err == nil || err.Error() != `f.yaml:4:15: statefulsets.db.replicas: must be an integer, got "many"` {
		t.Errorf("got %v", err)
	}
}

// TestInterpolationThroughAliases checks a shared (anchored) scalar is
// interpolated once: $$ must not turn into a second round of expansion.
func TestInterpolationThroughAliases(t *testing.T) {
	src := "x-cmd: &cmd [\"$${HOME}\"]\nstatefulsets:\n  a: {image: x, command: *cmd}\n  b: {image: x, command: *cmd}\n"
	p, err := LoadBytes("f.yaml", []byte(src), LoadOptions{Env: map[string]string{"HOME": "/root"}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if got := p.StatefulSets[n].Main().Command; len(got) != 1 || got[0] != "${HOME}" {
			t.Errorf("%s command = %q; want [${HOME}]", n, got)
		}
	}
}

func TestDotEnv(t *testing.T) {
	vars, probs := parseDotEnv(".env", []byte("# c\n\nA=1\nexport B = \"two words\"\nC='x'\nD=\nE=a=b\n"))
	want := map[string]string{"A": "1", "B": "two words", "C": "x", "D": "", "E": "a=b"}
	if len(probs) > 0 || len(vars) != len(want) {
		t.Fatalf("vars %v probs %v", vars, probs)
	}
	for k, v := range want {
		if vars[k] != v {
			t.Errorf("%s = %q; want %q", k, vars[k], v)
		}
	}
	_, probs = parseDotEnv("dir/.env", []byte("OK=1\n  no equals\n1BAD=x\n"))
	got := (&ValidationError{Problems: probs}).Error()
	if got != "dir/.env:2:3: expected KEY=VALUE\ndir/.env:3:1: invalid variable name \"1BAD\"" {
		t.Errorf("got %q", got)
	}
}

func TestDotEnvProblemsFailLoad(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, dir, ".env", "oops\n")
	path := writeTestFile(t, dir, "ordset.yaml", "statefulsets: {a: {image: x}}\n")
	_, err := Load(path, LoadOptions{Env: map[string]string{}})
	var verr *ValidationError
	if !errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].Line != 1 || !strings.HasSuffix(verr.Problems[0].File, ".env") {
		t.Errorf("got %v", err)
	}
}
