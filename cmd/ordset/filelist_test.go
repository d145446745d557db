package main

import (
	"slices"
	"testing"
)

func TestSplitFileList(t *testing.T) {
	have := map[string]bool{"a.yaml": true, "b.yaml": true, "dir,with,commas": true, "x,y.yaml": true}
	exists := func(p string) bool { return have[p] }
	for _, tc := range []struct {
		in, want []string
	}{
		{[]string{"a.yaml"}, []string{"a.yaml"}},
		{[]string{"a.yaml", "b.yaml"}, []string{"a.yaml", "b.yaml"}},
		{[]string{"a.yaml,b.yaml"}, []string{"a.yaml", "b.yaml"}},          // the old comma list
		{[]string{"dir,with,commas"}, []string{"dir,with,commas"}},         // an existing path stays whole
		{[]string{"x,y.yaml", "a.yaml"}, []string{"x,y.yaml", "a.yaml"}},   // even when a part exists
		{[]string{"a.yaml,missing.yaml"}, []string{"a.yaml,missing.yaml"}}, // ambiguous: whole, the read names it
		{[]string{"-"}, []string{"-"}},
	} {
		if got := splitFileList(tc.in, exists); !slices.Equal(got, tc.want) {
			t.Errorf("splitFileList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
