package main

import (
	"strings"
	"testing"

	"github.com/ordset/ordset/docs"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"statefulsets.web.updateStrategy.partition", []string{"FIELD: statefulsets.web.updateStrategy.partition", "partition: 0", ">= 0"}},
		{"terminationGracePeriodSeconds", []string{"DEFAULT: 30"}},
		{"readinessProbe", []string{"readinessProbe:", "exec: {command: [redis-cli, ping]}"}},
		{"ports[0].hostPort", []string{"hostPort: 7000", "on 127.0.0.1 unless hostIP", "hostIP 127.0.0.1 when hostPort is set"}},
	}
	for _, tt := range tests {
		got, ok := explain(docs.Format, tt.path)
		for _, w := range tt.want {
			if !ok || !strings.Contains(got, w) {
				t.Errorf("explain %s lacks %q:\n%s", tt.path, w, got)
			}
		}
	}
	if _, ok := explain(docs.Format, "nosuchfield"); ok {
		t.Error("explain nosuchfield found something")
	}
	if code, stdout, _ := runIn(t, "", nil, "explain"); code != 0 || !strings.Contains(stdout, "statefulsets:") {
		t.Errorf("explain without a field: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runIn(t, "", nil, "explain", "nosuchfield"); code != 1 || !strings.Contains(stderr, `no field "nosuchfield"`) {
		t.Errorf("explain nosuchfield: exit %d %s", code, stderr)
	}
}
