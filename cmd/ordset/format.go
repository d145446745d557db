package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ordset/ordset/compose"
)

// table writes kubectl-style aligned columns.
func table(w io.Writer, header []string, rows [][]string) error {
	return writeAtOnce(w, func(b io.Writer) error {
		tw := tabwriter.NewWriter(b, 0, 8, 3, ' ', 0)
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, r := range rows {
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		return tw.Flush()
	})
}

// writeAtOnce lets fill write into memory, then passes what it wrote to w in one Write.
// Stdout is not buffered: a tabwriter writes each cell and each padding separately, so a
// table of 200 pods was about 3,000 write calls, the biggest part of `ordset ps` on a busy
// machine. What fill wrote before failing is still written, as it was unbuffered.
func writeAtOnce(w io.Writer, fill func(io.Writer) error) error {
	var buf bytes.Buffer
	err := fill(&buf)
	if buf.Len() > 0 {
		if _, werr := w.Write(buf.Bytes()); err == nil {
			err = werr
		}
	}
	return err
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// age formats a duration the way kubectl's AGE column does.
func age(since, now time.Time) string {
	if since.IsZero() {
		return "<unknown>"
	}
	d := now.Sub(since)
	switch {
	case d < 0:
		return "0s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 10*time.Minute:
		s := int(d.Seconds()) % 60
		if s == 0 {
			return fmt.Sprintf("%dm", int(d.Minutes()))
		}
		return fmt.Sprintf("%dm%ds", int(d.Minutes()), s)
	case d < 3*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 8*time.Hour:
		m := int(d.Minutes()) % 60
		if m == 0 {
			return fmt.Sprintf("%dh", int(d.Hours()))
		}
		return fmt.Sprintf("%dh%dm", int(d.Hours()), m)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func writeJSONLine(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }

// writeData prints v as -o json or -o yaml. The YAML is the JSON document re-encoded (JSON is
// YAML), so both formats carry the same field names in the same order.
func writeData(w io.Writer, format string, v any) error {
	if format != "yaml" {
		return writeJSON(w, v)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle drops the flow style and quoting the JSON source gave every node, so the
// encoder writes ordinary block YAML.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// dataFormats are the -o values of a command that prints data: its text form(s), json, yaml.
func dataFormats(text ...string) []string { return append(text, "json", "yaml") }

// isData reports whether format is a machine-readable one.
func isData(format string) bool { return format == "json" || format == "yaml" }

// portString spells a pod port as docker ps does, with the published host port when there is one.
func portString(pt compose.Port) string {
	s := fmt.Sprintf("%d/%s", pt.ContainerPort, strings.ToLower(pt.Protocol))
	if pt.HostPort > 0 {
		s = hostAddr(pt) + "->" + s
	}
	if pt.Name != "" {
		s = pt.Name + ":" + s
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
