package compose

import (
	"fmt"
	"strings"
)

// Lookup returns a variable's value and whether it is set at all; the
// difference matters for ${VAR-default} (unset only) versus ${VAR:-default}.
type Lookup func(name string) (string, bool)

// Interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}
// and ${VAR?message} in s, and turns $$ into a literal $. A $ followed by
// anything else is kept as is, so shell snippets in commands survive.
// Defaults may themselves contain ${...}.
func Interpolate(s string, lookup Lookup) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i += 2
		case '{':
			end, err := closingBrace(s, i+2)
			if err != nil {
				return "", err
			}
			v, err := expand(s[i+2:end], lookup)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// closingBrace finds the } that closes a ${ opened just before start, skipping nested ${...}.
func closingBrace(s string, start int) (int, error) {
	depth := 1
	for j := start; j < len(s); j++ {
		switch {
		case s[j] == '$' && j+1 < len(s) && s[j+1] == '$':
			j++
		case s[j] == '$' && j+1 < len(s) && s[j+1] == '{':
			depth++
			j++
		case s[j] == '}':
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated ${ in %q", s)
}

// expand evaluates the inside of one ${...}.
func expand(expr string, lookup Lookup) (string, error) {
	name, op, rest, err := splitSubstitution(expr)
	if err != nil {
		return "", err
	}
	if !validVarName(name) {
		return "", fmt.Errorf("invalid variable name %q in ${%s}", name, expr)
	}
	val, set := lookup(name)
	switch op {
	case "":
		return val, nil
	case ":-":
		if set && val != "" {
			return val, nil
		}
		return Interpolate(rest, lookup)
	case "-":
		if set {
			return val, nil
		}
		return Interpolate(rest, lookup)
	case ":?", "?":
		if set && (op == "?" || val != "") {
			return val, nil
		}
		msg, err := Interpolate(rest, lookup)
		if err != nil {
			return "", err
		}
		if msg == "" {
			msg = "must be set"
			if op == ":?" {
				msg = "must be set and non-empty"
			}
		}
		return "", fmt.Errorf("required variable %s: %s", name, msg)
	}
	return "", fmt.Errorf("invalid substitution ${%s}", expr)
}

// splitSubstitution cuts the inside of one ${...} at its first operator into the name, the
// operator (empty, -, ?, :- or :?) and the rest, so that expand only has to evaluate.
func splitSubstitution(expr string) (name, op, rest string, err error) {
	for k := 0; k < len(expr); k++ {
		if expr[k] != ':' && expr[k] != '-' && expr[k] != '?' {
			continue
		}
		if expr[k] != ':' {
			return expr[:k], expr[k : k+1], expr[k+1:], nil
		}
		if k+1 >= len(expr) || (expr[k+1] != '-' && expr[k+1] != '?') {
			return "", "", "", fmt.Errorf("invalid substitution ${%s}: expected :- or :? after the name", expr)
		}
		return expr[:k], expr[k : k+2], expr[k+2:], nil
	}
	return expr, "", "", nil
}

// validVarName accepts shell-style names: a letter or _ then letters, digits, _.
func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
