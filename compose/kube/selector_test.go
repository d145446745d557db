package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/ordset/ordset/compose"
)

// Two sets of one chart release carry the same app.kubernetes.io/name and /instance labels
// (a component label tells them apart): the first keeps them as its selector, the second
// falls back to its own name so the exported selectors never overlap.
func TestExportSelectorKeepsChartLabels(t *testing.T) {
	src := `namespace: shop
statefulsets:
  primary:
    image: kv:1
    labels: {app.kubernetes.io/name: kv, app.kubernetes.io/instance: demo, app.kubernetes.io/component: primary}
  replica:
    image: kv:1
    labels: {app.kubernetes.io/name: kv, app.kubernetes.io/instance: demo, app.kubernetes.io/component: replica}
`
	p, err := compose.LoadBytes("ordset.yaml", []byte(src), compose.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	objs, warnings := Export(p)
	selectors := map[string]map[string]string{}
	for _, o := range objs {
		if sts, ok := o.(*appsv1.StatefulSet); ok {
			selectors[sts.Name] = sts.Spec.Selector.MatchLabels
			for k, v := range sts.Spec.Selector.MatchLabels {
				if sts.Spec.Template.Labels[k] != v {
					t.Errorf("%s: selector %s=%s does not match its template %v", sts.Name, k, v, sts.Spec.Template.Labels)
				}
			}
		}
	}
	if got := selectors["primary"]; got[LabelName] != "kv" || got[LabelInstance] != "demo" {
		t.Errorf("primary selector = %v, want the chart's name=kv, instance=demo", got)
	}
	if got := selectors["replica"]; got[LabelName] != "replica" || got[LabelInstance] != "shop" {
		t.Errorf("replica selector = %v, want its own name=replica, instance=shop (the chart's is taken)", got)
	}
	var said bool
	for _, w := range warnings {
		said = said || (w.Object == "StatefulSet/replica" && strings.Contains(w.Message, "not exported"))
	}
	if !said {
		t.Errorf("no warning that replica's chart labels are not exported: %v", warnings)
	}
}
