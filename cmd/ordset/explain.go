package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/docs"
)

func explainCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "document a field of the ordset file (kubectl explain), from the reference built into the binary",
		ArgsUsage: "[FIELD]",
		Description: `FIELD is a field name or path (statefulsets.redis.updateStrategy.partition, or just
partition). Prints the field as the annotated example shows it, its default and every rule
the reference states about it. Without FIELD, prints the annotated example of the whole file.

Examples:
   ordset explain
   ordset explain readinessProbe
   ordset explain statefulsets.web.persistentVolumeClaimRetentionPolicy
   ordset explain ports.hostPort`,
		Action: action(s, runExplain),
	}
}

func runExplain(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(1, "[FIELD]"); err != nil {
		return err
	}
	if in.arg(0) == "" {
		_, err := fmt.Fprintln(s.Out, exampleBlock(docs.Format))
		return err
	}
	text, ok := explain(docs.Format, in.arg(0))
	if !ok {
		return fmt.Errorf("the ordset file has no field %q (\"ordset explain\" shows them all)", in.arg(0))
	}
	_, err := fmt.Fprint(s.Out, text)
	return err
}

// fieldKey is the last name of a field path: statefulsets.web.ports[0].hostPort -> hostPort.
func fieldKey(path string) string {
	path = regexp.MustCompile(`\[[^]]*\]`).ReplaceAllString(path, "")
	parts := strings.Split(strings.Trim(path, "."), ".")
	return parts[len(parts)-1]
}

// exampleBlock is the annotated YAML example at the top of the reference.
func exampleBlock(doc string) string {
	_, rest, ok := strings.Cut(doc, "```yaml\n")
	if !ok {
		return ""
	}
	block, _, _ := strings.Cut(rest, "```")
	return strings.TrimRight(block, "\n")
}

// explain collects what the reference says about a field: its lines in the example (with
// the lines nested under it), its row of the defaults table and the sentences naming it.
func explain(doc, path string) (string, bool) {
	key := fieldKey(path)
	if key == "" {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FIELD: %s\n", path)
	found := false
	if ex := exampleLines(exampleBlock(doc), key); ex != "" {
		fmt.Fprintf(&b, "\nEXAMPLE:\n%s\n", ex)
		found = true
	}
	tick := "`" + key + "`"
	var rules []string
	defaults := b.Len()
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, tick) {
			cells := strings.Split(strings.Trim(line, "| "), " | ")
			switch {
			case len(cells) != 2:
			case strings.Contains(cells[0], tick):
				fmt.Fprintf(&b, "\nDEFAULT: %s\n", strings.ReplaceAll(cells[1], "`", ""))
			default: // a row about something else that involves the field
				rules = append(rules, "  - "+strings.ReplaceAll(cells[0]+": "+cells[1], "`", ""))
			}
		}
	}
	found = found || b.Len() > defaults
	for _, sentence := range prose(doc) {
		if strings.Contains(sentence, tick) || strings.Contains(sentence, "`"+path+"`") {
			rules = append(rules, "  - "+strings.ReplaceAll(sentence, "`", ""))
		}
	}
	if len(rules) > 0 {
		fmt.Fprintf(&b, "\nRULES:\n%s\n", strings.Join(rules, "\n"))
		found = true
	}
	return b.String(), found
}

// exampleLines returns the example's lines that set key, each with the lines nested under it.
func exampleLines(block, key string) string {
	lines := strings.Split(block, "\n")
	re := regexp.MustCompile(`(^|[\s{,\-])` + regexp.QuoteMeta(key) + `:`)
	var out []string
	for i := 0; i < len(lines); i++ {
		code, _, _ := strings.Cut(lines[i], "#")
		if !re.MatchString(code) {
			continue
		}
		out = append(out, lines[i])
		indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		for i+1 < len(lines) && len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > indent {
			i++
			out = append(out, lines[i])
		}
	}
	return strings.Join(out, "\n")
}

// prose splits the reference's text outside code blocks and tables into sentences (and
// semicolon-separated rules), one line each.
func prose(doc string) []string {
	var text []string
	inCode := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if inCode || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "#") {
			continue
		}
		text = append(text, strings.TrimSpace(line))
	}
	joined := strings.Join(text, " ")
	var out []string
	for _, s := range regexp.MustCompile(`[.;:]\s+`).Split(joined, -1) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
