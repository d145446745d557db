package orchestrator

import (
	"strconv"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// engine builds a World fluently: sets with their memory, and the engine's objects.
type engine struct{ w World }

func newEngine() *engine {
	return &engine{w: World{Sets: map[SetKey]SetInput{}, Now: t0}}
}

// set adds a set (no claims, so plans stay short) with the given replicas.
func (e *engine) set(ns, name string, replicas int, muts ...func(*compose.StatefulSet)) *engine {
	s := testSet(append([]func(*compose.StatefulSet){noClaims, func(s *compose.StatefulSet) {
		s.Name, s.ServiceName = name, name
	}}, muts...)...)
	e.w.Sets[SetKey{ns, name}] = SetInput{Desired: Desired{Namespace: ns, Set: s, Replicas: replicas, Revision: "r1"}}
	return e
}

func (e *engine) mem(ns, name string, f func(*SetMemory)) *engine {
	in := e.w.Sets[SetKey{ns, name}]
	f(&in.Memory)
	e.w.Sets[SetKey{ns, name}] = in
	return e
}

func (e *engine) deleted(ns, name string) *engine {
	in := e.w.Sets[SetKey{ns, name}]
	in.Desired.Deleted = true
	e.w.Sets[SetKey{ns, name}] = in
	return e
}

// pod adds a running pod container (no probes: Ready unless its HEALTHCHECK says otherwise).
func (e *engine) pod(ns, set string, ord int, health string) *engine {
	e.w.Snapshot.Containers = append(e.w.Snapshot.Containers, Container{
		ID: "id-" + ns + "-" + identity.PodName(set, ord), Name: identity.ContainerName(ns, set, ord), State: StateRunning, Health: health,
		CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-time.Hour),
		Labels: map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelRole: identity.RolePod,
			identity.LabelNamespace: ns, identity.LabelSet: set, identity.LabelOrdinal: strconv.Itoa(ord), identity.LabelRevision: "r1"}})
	return e
}

func (e *engine) network(ns string) *engine {
	e.w.Snapshot.Networks = append(e.w.Snapshot.Networks, Network{Name: identity.NetworkName(ns), Namespace: ns, Gateway: "10.0.0.1"})
	return e
}

func (e *engine) foreign(names ...string) *engine {
	e.w.Snapshot.ForeignNames = map[string]bool{}
	for _, n := range names {
		e.w.Snapshot.ForeignNames[n] = true
	}
	return e
}

func (e *engine) at(now time.Time) *engine { e.w.Now = now; return e }

func dependsOn(deps ...string) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) { s.DependsOn = deps }
}

type engineCase struct {
	name string
	e    *engine
	want string
}

func runEngineCases(t *testing.T, cases []engineCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := PlanEngine(c.e.w).String(); got != c.want {
				t.Errorf("plan mismatch\n got: %q\nwant: %q", got, c.want)
			}
		})
	}
}

func TestPlanEngineDependsOn(t *testing.T) {
	runEngineCases(t, []engineCase{
		{"waits for every desired pod of the dependency",
			newEngine().network("demo").set("demo", "db", 2).pod("demo", "db", 0, "").set("demo", "app", 1, dependsOn("db")),
			"demo/app: waiting: dependsOn not Ready: db (1/2 Ready)\n" +
				"demo/db: create-pod db-1 rev=r1"},
		{"a dependency that is not Ready counts as missing",
			newEngine().network("demo").set("demo", "db", 1).pod("demo", "db", 0, "starting").set("demo", "app", 1, dependsOn("db")),
			"demo/app: waiting: dependsOn not Ready: db (0/1 Ready)\n" +
				"demo/db: waiting: db-0 not Ready"},
		{"a dependency never applied",
			newEngine().network("demo").set("demo", "app", 1, dependsOn("db", "cache")),
			"demo/app: waiting: dependsOn not Ready: cache (not applied), db (not applied)"},
		{"a dependency being deleted",
			newEngine().network("demo").set("demo", "db", 1).pod("demo", "db", 0, "").deleted("demo", "db").
				set("demo", "app", 1, dependsOn("db")),
			"demo/app: waiting: dependsOn not Ready: db (not applied)\n" +
				"demo/db: delete-pod db-0 (delete)"},
		{"a dependency of another namespace does not count",
			newEngine().network("other").set("other", "db", 1).pod("other", "db", 0, "").network("demo").
				set("demo", "app", 1, dependsOn("db")),
			"demo/app: waiting: dependsOn not Ready: db (not applied)"},
		{"a fully Ready dependency lets the set start",
			newEngine().network("demo").set("demo", "db", 1).pod("demo", "db", 0, "").set("demo", "app", 1, dependsOn("db")),
			"demo/app: create-pod app-0 rev=r1"},
	})
}

func TestPlanEngineNetworks(t *testing.T) {
	runEngineCases(t, []engineCase{
		{"created before the first pod", newEngine().set("demo", "web", 1),
			"demo: create-network ordset-demo\ndemo/web: create-pod web-0 rev=r1"},
		{"an observed network is used as it is", newEngine().network("demo").set("demo", "web", 1),
			"demo/web: create-pod web-0 rev=r1"},
		{"not created while nothing is created", newEngine().set("demo", "web", 0), ""},
		{"one per namespace", newEngine().network("a").set("a", "web", 1).set("b", "web", 1),
			"b: create-network ordset-b\na/web: create-pod web-0 rev=r1\nb/web: create-pod web-0 rev=r1"},
		{"removed with the namespace's last set, then the set is forgotten",
			newEngine().network("demo").set("demo", "web", 1).deleted("demo", "web"),
			"demo: remove-network ordset-demo; forget-set web\ndemo/web: done"},
		{"kept while another set of the namespace stays",
			newEngine().network("demo").set("demo", "web", 1).deleted("demo", "web").set("demo", "db", 1).pod("demo", "db", 0, ""),
			"demo: forget-set web\ndemo/web: done"},
		{"a deleted set with a pod left is not forgotten",
			newEngine().network("demo").set("demo", "web", 1).pod("demo", "web", 0, "").deleted("demo", "web"),
			"demo/web: delete-pod web-0 (delete)"},
		{"a deleted set's namespace without a network only forgets",
			newEngine().set("demo", "web", 1).deleted("demo", "web"),
			"demo: forget-set web\ndemo/web: done"},
		{"another namespace's network is never removed",
			newEngine().network("other").network("demo").set("demo", "web", 1).deleted("demo", "web"),
			"demo: remove-network ordset-demo; forget-set web\ndemo/web: done"},
	})
}

func TestPlanEngineRetryAndMemory(t *testing.T) {
	failed := func(m *SetMemory) {
		m.Failures, m.RetryAt, m.LastErr = 2, t0.Add(4*time.Second), "image app:1 not found"
	}
	runEngineCases(t, []engineCase{
		{"actions wait for the retry time", newEngine().network("demo").set("demo", "web", 1).mem("demo", "web", failed),
			"demo/web: waiting: retrying after error: image app:1 not found\ndemo/web: requeue: 4s"},
		{"no network is created for a set that waits", newEngine().set("demo", "web", 1).mem("demo", "web", failed),
			"demo/web: waiting: retrying after error: image app:1 not found\ndemo/web: requeue: 4s"},
		{"the retry time passed", newEngine().network("demo").set("demo", "web", 1).mem("demo", "web", failed).at(t0.Add(5 * time.Second)),
			"demo/web: create-pod web-0 rev=r1"},
		{"a converged set has nothing to hold back", newEngine().network("demo").set("demo", "web", 1).pod("demo", "web", 0, "").
			mem("demo", "web", failed), ""},
		{"an execution in flight skips the set", newEngine().set("demo", "web", 1).mem("demo", "web", func(m *SetMemory) { m.InFlight = true }),
			"demo/web: skipped (execution in flight)"},
		{"a deleted set in flight is not forgotten", newEngine().set("demo", "web", 1).deleted("demo", "web").
			mem("demo", "web", func(m *SetMemory) { m.InFlight = true }),
			"demo/web: skipped (execution in flight)"},
	})
}

func TestPlanEngineConflicts(t *testing.T) {
	conflict := func(m *SetMemory) {
		m.Conflicts = map[int]Conflict{0: {"demo-web-0", "container demo-web-0 exists and is not managed by ordset"}}
	}
	runEngineCases(t, []engineCase{
		{"a remembered conflict holds the pod", newEngine().network("demo").set("demo", "web", 1).mem("demo", "web", conflict),
			"demo/web: waiting: container demo-web-0 exists and is not managed by ordset"},
		{"still there in the foreign names", newEngine().network("demo").set("demo", "web", 1).mem("demo", "web", conflict).
			foreign("demo-web-0", "unrelated"),
			"demo/web: waiting: container demo-web-0 exists and is not managed by ordset"},
		{"gone from the foreign names", newEngine().network("demo").set("demo", "web", 1).mem("demo", "web", conflict).
			foreign("unrelated"),
			"demo/web: create-pod web-0 rev=r1"},
	})
}

func TestAfterExecution(t *testing.T) {
	create := Action{Kind: ActCreatePod, Ordinal: 1, Target: "demo-web-1"}
	mem, errs := afterExecution(SetMemory{}, []Result{{Action: create, Err: errString("boom")}}, t0)
	if len(errs) != 1 || mem.Failures != 1 || !mem.RetryAt.Equal(t0.Add(time.Second)) || mem.LastErr != "boom" {
		t.Fatalf("first failure: %+v", mem)
	}
	mem, _ = afterExecution(mem, []Result{{Action: create, Err: errString("boom")}}, t0)
	if mem.Failures != 2 || !mem.RetryAt.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("second failure doubles: %+v", mem)
	}
	mem.Failures = 10
	mem, _ = afterExecution(mem, []Result{{Action: create, Err: errString("boom")}}, t0)
	if !mem.RetryAt.Equal(t0.Add(errorRetryMax)) {
		t.Fatalf("capped at %s: %+v", errorRetryMax, mem)
	}
	mem, _ = afterExecution(mem, []Result{{Action: create}}, t0)
	if mem.Failures != 0 || !mem.RetryAt.IsZero() || mem.LastErr != "" {
		t.Fatalf("a clean execution resets: %+v", mem)
	}
	mem, _ = afterExecution(mem, []Result{{Action: create, Err: wrapNotOwned{}}}, t0)
	if c := mem.Conflicts[1]; c.Container != "demo-web-1" || mem.Failures != 0 || !mem.RetryAt.IsZero() {
		t.Fatalf("a foreign name is a conflict, not a retry: %+v", mem)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

type wrapNotOwned struct{}

func (wrapNotOwned) Error() string { return "create container demo-web-1: not managed by ordset" }
func (wrapNotOwned) Unwrap() error { return ErrNotOwned }
