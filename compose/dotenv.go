package compose

import (
	"bufio"
	"bytes"
	"strings"
)

// parseDotEnv reads KEY=VALUE lines of a .env file: blank lines and # comments
// are skipped, an optional "export " prefix is allowed, and a value wrapped in
// matching single or double quotes loses them. Values are taken literally (no
// interpolation), which keeps the file predictable.
func parseDotEnv(file string, data []byte) (map[string]string, []Problem) {
	vars := map[string]string{}
	var probs []Problem
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for line := 1; sc.Scan(); line++ {
		raw := sc.Text()
		text := strings.TrimSpace(raw)
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		key, val, ok := strings.Cut(text, "=")
		key = strings.TrimSpace(key)
		col := strings.Index(raw, strings.TrimSpace(raw)) + 1
		if !ok {
			probs = append(probs, Problem{File: file, Line: line, Col: col, Message: "expected KEY=VALUE"})
			continue
		}
		if !validVarName(key) {
			probs = append(probs, Problem{File: file, Line: line, Col: col, Message: "invalid variable name " + quote(key)})
			continue
		}
		val = strings.TrimSpace(val)
		if len(val) >= 2 && (val[0] == '"' || val[0] == '\'') && val[len(val)-1] == val[0] {
			val = val[1 : len(val)-1]
		}
		vars[key] = val
	}
	return vars, probs
}
