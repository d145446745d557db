package orchestrator

import (
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// pastMember adds a terminated copy of app container "web" of pod 0 under name(canonical,
// id), joined to infra (another incarnation when infra is not the pod's).
func pastMember(b *obs, id, infra string, created time.Time, name func(string, string) string) *obs {
	c := b.o.Pods[0].Members[0]
	c.Labels = podLabels(0, "r1")
	c.Labels[identity.LabelRole], c.Labels[identity.LabelContainer] = identity.RoleContainer, "web"
	c.ID, c.Name, c.State, c.ExitCode = id, name(identity.AppContainerName("demo", "web", 0, "web"), id), StateExited, 1
	c.NetworkMode, c.CreatedAt = "container:"+infra, created
	b.o.Pods[0].Members = append(b.o.Pods[0].Members, c)
	return b
}

// Each app container of a multi-container pod keeps its last crashed container for
// "logs -p -c NAME", as a one-container pod does.
func TestPlanMemberPrevious(t *testing.T) {
	hour := t0.Add(-2 * time.Hour)
	runPlanCases(t, []planCase{
		{"a retired app container beside its replacement is kept as the previous one", desired(duo(), 1),
			pastMember(world().duoReady(0, "r1"), "old", "infra-0", hour, identity.RetiredName), time.Time{},
			"keep-previous demo-web-0_web.retired-old"},
		{"a newer crash replaces the kept one", desired(duo(), 1),
			pastMember(pastMember(world().duoReady(0, "r1"), "older", "infra-0", hour.Add(-time.Hour), identity.PreviousName),
				"old", "infra-0", hour, identity.RetiredName), time.Time{},
			"keep-previous demo-web-0_web.retired-old; remove-container demo-web-0_web.previous-older (not of this pod)"},
		{"a kept previous container stays, and is never the container", desired(duo(), 1),
			pastMember(world().duoReady(0, "r1"), "old", "infra-0", hour, identity.PreviousName), time.Time{}, ""},
		{"a previous container alone is not the container: it is started anew", desired(duo(), 1),
			func() *obs {
				o := pastMember(world().duoReady(0, "r1"), "old", "infra-0", hour, identity.PreviousName)
				o.o.Pods[0].Members = o.o.Pods[0].Members[1:] // web itself is gone
				return o
			}(), time.Time{}, "run-container web-0/web\nwaiting: web-0 starting container web"},
		{"an earlier incarnation's previous container goes", desired(duo(), 1),
			pastMember(world().duoReady(0, "r1"), "old", "gone", hour, identity.PreviousName), time.Time{},
			"remove-container demo-web-0_web.previous-old (not of this pod)"},
	})
}
