package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// LoadOptions tune where variables and relative paths come from.
type LoadOptions struct {
	// Env is the environment for ${VAR} interpolation; nil means os.Environ().
	// It wins over a .env file beside the ordset file.
	Env map[string]string
	// Dir is where .env is read and relative hostPaths resolve; "" means the
	// ordset file's directory (Load) or the working directory (LoadBytes).
	Dir string
	// EnvFile replaces the .env beside the file (docker compose --env-file); it must exist.
	EnvFile string
	// Images replace the pod templates' images before validation (--image, ImagesFile);
	// the first that matches an image wins.
	Images []ImageOverride
}

// FileNames are the names FindFile looks for, in order.
var FileNames = []string{"ordset.yaml", "ordset.yml"}

// FindFile returns the ordset file in dir (ordset.yaml, then ordset.yml).
func FindFile(dir string) (string, error) {
	for _, name := range FileNames {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	shown := dir
	if shown == "" || shown == "." {
		shown = "the current directory"
	}
	return "", fmt.Errorf("no ordset.yaml or ordset.yml in %s (use -f to name a file): %w", shown, fs.ErrNotExist)
}

// Load reads, interpolates, decodes, defaults and validates an ordset file.
// Problems with the content come back as *ValidationError naming path as given.
func Load(path string, opts LoadOptions) (*Project, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read ordset file: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("resolve ordset file %s: %w", path, err)
	}
	if opts.Dir == "" {
		opts.Dir = filepath.Dir(abs)
	}
	p, err := LoadBytes(path, data, opts)
	if p != nil {
		p.File = abs
	}
	return p, err
}

// LoadBytes is Load for in-memory input; name is used in problem locations.
func LoadBytes(name string, data []byte, opts LoadOptions) (*Project, error) {
	dir := opts.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		dir = wd
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve directory %s: %w", opts.Dir, err)
	}
	lookup, probs, err := environment(name, dir, opts)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}

	for _, check := range []func(string, []byte) *Problem{sizeProblem, textProblem} {
		if pr := check(name, data); pr != nil {
			return nil, &ValidationError{Problems: []Problem{*pr}}
		}
	}
	root, probs := parseYAML(name, data)
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	w := newWalker(name, lookup)
	var f projectFile
	if root != nil {
		w.walk(root, reflect.TypeOf(projectFile{}), "", 0)
		if w.tooBig || w.budget <= 0 {
			w.probs = append(w.probs, Problem{File: name, Line: root.Line, Col: root.Column,
				Message: "document too large or too deeply nested (check for alias or merge-key loops)"})
		}
		if len(w.probs) > 0 {
			return nil, finish(w.probs)
		}
		if err := root.Decode(&f); err != nil {
			return nil, finish(decodeProblems(name, err))
		}
	}
	p := f.toProject(dir)
	c := &checker{w: w, flat: map[string]bool{}}
	c.warnings = ApplyImages(p, opts.Images)
	for n, sf := range f.StatefulSets {
		c.flat[n] = sf == nil || sf.flat()
		c.fileShape(sf, "statefulsets."+n)
	}
	c.readFiles(p)
	applyDefaults(p)
	if probs := c.validate(p); len(probs) > 0 {
		return nil, finish(probs)
	}
	if pr := specProblem(name, p); pr != nil {
		return nil, &ValidationError{Problems: []Problem{*pr}}
	}
	addConfigHashes(p)
	return p, nil
}

// Position is where a spec field came from, for a project built from another format.
type Position struct {
	File      string
	Line, Col int
}

// NormalizeAt is Normalize for a project read from another format (Kubernetes manifests),
// with the image overrides applied first, and positions: at maps spec field paths ("statefulsets.redis.image") to where they came
// from; problems without one fall back to file:1:1. Sets are in the template form, as
// Normalize's.
func NormalizeAt(p *Project, file string, at map[string]Position, images []ImageOverride) error {
	w := newWalker(file, nil)
	for path, ps := range at {
		w.values[path] = pos{line: ps.Line, col: ps.Col, file: ps.File}
	}
	c := &checker{w: w, flat: map[string]bool{}}
	c.warnings = ApplyImages(p, images)
	c.readFiles(p)
	applyDefaults(p)
	if probs := c.validate(p); len(probs) > 0 {
		return finish(probs)
	}
	addConfigHashes(p)
	return nil
}

func finish(probs []Problem) *ValidationError {
	sortProblems(probs)
	return &ValidationError{Problems: dedupProblems(probs)}
}

// environment merges .env (beside the file, or opts.EnvFile) under the process or given env.
func environment(name, dir string, opts LoadOptions) (Lookup, []Problem, error) {
	env := opts.Env
	dotenv := map[string]string{}
	envPath, shown := filepath.Join(dir, ".env"), filepath.Join(filepath.Dir(name), ".env")
	if opts.EnvFile != "" {
		envPath, shown = opts.EnvFile, opts.EnvFile
	}
	data, err := os.ReadFile(envPath)
	switch {
	case err == nil:
		var probs []Problem
		dotenv, probs = parseDotEnv(shown, data)
		if len(probs) > 0 {
			return nil, probs, nil
		}
	case !errors.Is(err, fs.ErrNotExist) || opts.EnvFile != "":
		return nil, nil, fmt.Errorf("read %s: %w", envPath, err)
	}
	return func(k string) (string, bool) {
		if env != nil {
			if v, ok := env[k]; ok {
				return v, true
			}
		} else if v, ok := os.LookupEnv(k); ok {
			return v, true
		}
		v, ok := dotenv[k]
		return v, ok
	}, nil, nil
}

var lineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`) })

// parseYAML parses exactly one document into a node tree; nil root for empty input.
func parseYAML(name string, data []byte) (*yaml.Node, []Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, []Problem{syntaxProblem(name, data, err.Error())}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, []Problem{{File: name, Line: extra.Line, Col: extra.Column,
			Message: "more than one YAML document; an ordset file holds exactly one"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, []Problem{syntaxProblem(name, data, err.Error())}
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, nil
		}
		return doc.Content[0], nil
	}
	return &doc, nil
}

// syntaxProblem turns "yaml: line 3: found character ..." into a Problem. yaml.v3
// gives only a line, so the column points at a tab in the indentation when there
// is one (the usual culprit), else at the line's first non-blank character.
func syntaxProblem(name string, data []byte, msg string) Problem {
	msg = strings.TrimPrefix(msg, "yaml: ")
	m := lineRE().FindStringSubmatch(msg)
	if m == nil {
		return Problem{File: name, Message: msg}
	}
	line, _ := strconv.Atoi(m[1])
	line = problemLine(data, line, msg)
	p := Problem{File: name, Line: line, Col: 1, Message: m[2]}
	lines := strings.Split(string(data), "\n")
	if line >= 1 && line <= len(lines) {
		text := lines[line-1]
		indent := len(text) - len(strings.TrimLeft(text, " \t"))
		if i := strings.IndexByte(text[:indent], '\t'); i >= 0 {
			p.Col = i + 1
			p.Message = "tab character in indentation (YAML indents with spaces): " + p.Message
		} else if indent < len(text) {
			p.Col = indent + 1
		}
	}
	return p
}

// problemLine narrows a syntax error to the line that breaks the document.
// yaml.v3 reports the line of the enclosing construct ("did not find expected
// key" names the mapping's first line), so parse growing prefixes from there
// and take the first that fails with the same message. Small files only: the
// scan is quadratic.
func problemLine(data []byte, line int, msg string) int {
	if len(data) > 64*1024 {
		return line
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 2000 {
		return line
	}
	for k := max(line, 1); k <= len(lines); k++ {
		var n yaml.Node
		err := yaml.Unmarshal(bytes.Join(lines[:k], nil), &n)
		if err == nil {
			continue
		}
		if m := lineRE().FindStringSubmatch(strings.TrimPrefix(err.Error(), "yaml: ")); m != nil && m[2] == lineRE().FindStringSubmatch(msg)[2] {
			return k
		}
	}
	return line
}

// decodeProblems converts the rare decode error the walk did not foresee.
func decodeProblems(name string, err error) []Problem {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []Problem{{File: name, Message: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	var out []Problem
	for _, e := range te.Errors {
		p := Problem{File: name, Message: e}
		if m := lineRE().FindStringSubmatch(e); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Message = m[2]
		}
		out = append(out, p)
	}
	return out
}
