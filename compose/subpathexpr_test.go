package compose

import (
	"errors"
	"strings"
	"testing"
)

// TestSubPathExpr: subPathExpr loads (with a warning for a $(VAR) that names nothing), is
// exclusive with subPath and must stay a relative path inside the volume.
func TestSubPathExpr(t *testing.T) {
	const file = `namespace: demo
statefulsets:
  web:
    image: app:1
    env: [{name: SHARD, value: a}]
    volumeMounts:
      - {name: data, mountPath: /a, subPathExpr: "$(POD_NAME)/$(SHARD)"}
      - {name: data, mountPath: /b, subPathExpr: "$(NOPE)"}%s
    volumeClaimTemplates: [{name: data}]
`
	p, err := LoadBytes("ordset.yaml", []byte(strings.Replace(file, "%s", "", 1)), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.StatefulSets["web"].Main().VolumeMounts[0].SubPathExpr; got != "$(POD_NAME)/$(SHARD)" {
		t.Errorf("subPathExpr = %q", got)
	}
	var warned []string
	for _, w := range p.Warnings {
		warned = append(warned, w.String())
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "statefulsets.web.volumeMounts[1].subPathExpr: $(NOPE) names no variable") {
		t.Errorf("warnings %q, want one about $(NOPE)", warned)
	}
	for extra, want := range map[string]string{
		"\n      - {name: data, mountPath: /c, subPath: x, subPathExpr: y}": "ordset.yaml:9:62: statefulsets.web.volumeMounts[2].subPathExpr: subPath and subPathExpr are mutually exclusive",
		"\n      - {name: data, mountPath: /c, subPathExpr: /abs}":          `statefulsets.web.volumeMounts[2].subPathExpr: must be a relative path, got "/abs"`,
		"\n      - {name: data, mountPath: /c, subPathExpr: a/../..}":       `statefulsets.web.volumeMounts[2].subPathExpr: must not contain '..', got "a/../.."`,
	} {
		_, err := LoadBytes("ordset.yaml", []byte(strings.Replace(file, "%s", extra, 1)), LoadOptions{})
		var verr *ValidationError
		if !errors.As(err, &verr) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err %v, want %q", extra, err, want)
		}
	}
}
