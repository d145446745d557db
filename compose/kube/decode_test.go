package kube

import "testing"

// IsManifest decides which loader reads a file: it must look past the empty documents
// `helm template` leaves when a template renders nothing.
func TestIsManifest(t *testing.T) {
	for _, c := range []struct {
		name, data string
		want       bool
	}{
		{"object", "apiVersion: v1\nkind: Service\n", true},
		{"helm empty first template", "---\n# Source: kv/templates/pdb.yaml\n---\n# Source: kv/templates/sts.yaml\napiVersion: apps/v1\nkind: StatefulSet\n", true},
		{"null document first", "---\n~\n---\napiVersion: v1\nkind: List\nitems: []\n", true},
		{"ordset file", "namespace: demo\nstatefulsets: {}\n", false},
		{"ordset file after an empty document", "---\n# nothing\n---\nnamespace: demo\n", false},
		{"only comments", "# nothing here\n", false},
		{"kind without apiVersion", "kind: Service\n", false},
		{"not a mapping", "- apiVersion\n- kind\n", false},
		{"syntax error", "apiVersion: [v1\n", false},
	} {
		if got := IsManifest([]byte(c.data)); got != c.want {
			t.Errorf("%s: IsManifest = %v, want %v", c.name, got, c.want)
		}
	}
}
