package compose

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with an ordset file, located as precisely as the
// YAML allows so editors and CI logs can jump straight to it.
type Problem struct {
	File    string // the path as the caller gave it
	Line    int    // 1-based; 0 when unknown
	Col     int    // 1-based; 0 when unknown
	Path    string // field path, e.g. statefulsets.redis.ports[0].containerPort; "" for file-level problems
	Message string
}

// String renders the problem as `file:line:col: path: message`, or `path: message` when it
// comes from no file (Normalize).
func (p Problem) String() string {
	if p.File == "" && p.Line == 0 && p.Path != "" {
		return p.Path + ": " + p.Message
	}
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// ValidationError carries every problem found in one load, so a user fixes
// the file in one round instead of one error per run.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line, in file order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Before reports whether p stands before q in the input: by file, line, then column.
// Every list of problems a user sees is in this order, whichever loader found them.
func (p Problem) Before(q Problem) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// sortProblems orders problems by position, then path, so output is stable
// regardless of map iteration order during validation.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Before(b) || b.Before(a) {
			return a.Before(b)
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
}

// dedupProblems drops exact repeats (a shared anchor can yield the same problem twice).
func dedupProblems(ps []Problem) []Problem {
	out := ps[:0]
	seen := map[Problem]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
