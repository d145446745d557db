package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/orchestrator/identity"
)

// orderedRound is one OrderedReady scale from 0 to N pods. For pod k (1..N-1):
//
//	turn[k]  = the engine's "start" event of pod k-1's container -> the daemon's first action
//	           for pod k from then on (logged as "action start" at debug level): its start-pod
//	           when the controller created it ahead, else its volume create;
//	react[k] = the daemon's PodReady event of pod k-1 -> that same action.
//
// A pod without a readiness probe is Ready once its container runs, so turn is everything the
// controller does per step (the engine event reaching it, a pass that lists the engine, the
// plan, the status and event records, the dispatch) and nothing the engine does for the
// pod itself (create and start are outside it). react is the part after the controller
// has noted pod k-1 Ready.
type orderedRound struct {
	turn, react []time.Duration // index k-1 for pod k
}

// ends returns the medians of the first and the last `width` values of xs.
func ends(xs []time.Duration, width int) (first, last time.Duration) {
	width = min(width, len(xs))
	return median(xs[:width]), median(xs[len(xs)-width:])
}

// scaleOrdered runs cfg.runs rounds of `ordset scale kv N` from 0 on a private daemon that
// logs at debug level.
func (e *env) scaleOrdered(ctx context.Context, res *scaleResults) error {
	d, err := newCLIStarter(ctx, e, e.cfg.bin, "--log-level", "debug")
	if err != nil {
		return err
	}
	defer d.close()
	for r := range e.cfg.runs {
		round, err := e.orderedRound(ctx, d, e.cfg.scaleOrdered)
		if err != nil {
			return fmt.Errorf("OrderedReady 0->%d round %d: %w", e.cfg.scaleOrdered, r+1, err)
		}
		res.ordered = append(res.ordered, round)
		f, l := ends(round.turn, scaleEnds)
		fmt.Fprintf(os.Stderr, "scale ordered  N=%d round %d: turn first-%d %s, last-%d %s\n",
			e.cfg.scaleOrdered, r+1, scaleEnds, ms(f), scaleEnds, ms(l))
	}
	return nil
}

// scaleEnds is how many steps at each end of the ordered scale are compared.
const scaleEnds = 10

func (e *env) orderedRound(ctx context.Context, d *cliStarter, n int) (round orderedRound, err error) {
	ns := e.name("o", n)
	file := filepath.Join(d.state, ns+".yaml")
	if err := os.WriteFile(file, []byte(e.scaleSet(ns, "OrderedReady", 0)), 0o644); err != nil {
		return round, err
	}
	defer func() {
		if derr := d.ordset(context.WithoutCancel(ctx), "down", "-f", file, "--volumes"); derr != nil && err == nil {
			err = fmt.Errorf("clean up: %w", derr)
		}
	}()
	if err := d.ordset(ctx, "up", "-f", file); err != nil {
		return round, err
	}
	logFile := filepath.Join(d.state, "bench-daemon.out")
	st, err := os.Stat(logFile)
	if err != nil {
		return round, err
	}
	ectx, stopEvents := context.WithCancel(ctx)
	starts := e.watchStarts(ectx, ns)
	sctx, cancel := context.WithTimeout(ctx, e.cfg.scaleTimeout)
	err = d.ordset(sctx, "scale", "kv", strconv.Itoa(n), "-n", ns, "--timeout", e.cfg.scaleTimeout.String())
	cancel()
	time.Sleep(200 * time.Millisecond) // the last start events are in flight
	stopEvents()
	started := <-starts
	if err != nil {
		return round, err
	}
	actions, err := firstActions(logFile, st.Size())
	if err != nil {
		return round, err
	}
	ready, err := readyTimes(ctx, d, ns)
	if err != nil {
		return round, err
	}
	for k := 1; k < n; k++ {
		prev, pod := fmt.Sprintf("kv-%d", k-1), fmt.Sprintf("kv-%d", k)
		s, r := started[prev], ready[prev]
		a := firstFrom(actions[pod], s)
		if a.IsZero() || s.IsZero() || r.IsZero() {
			return round, fmt.Errorf("pod %s: missing a time (first action %v, start of %s %v, Ready %v)", pod, a, prev, s, r)
		}
		round.turn = append(round.turn, a.Sub(s))
		round.react = append(round.react, a.Sub(r))
	}
	return round, nil
}

// watchStarts collects the engine's start event time of each pod container of namespace ns
// until ctx ends, then sends them (the first start of each pod).
func (e *env) watchStarts(ctx context.Context, ns string) <-chan map[string]time.Time {
	out := make(chan map[string]time.Time, 1)
	f := filters.NewArgs(filters.Arg("type", "container"), filters.Arg("event", "start"),
		filters.Arg("label", identity.LabelNamespace+"="+ns))
	msgs, errs := e.cli.Events(ctx, events.ListOptions{Filters: f})
	go func() {
		got := map[string]time.Time{}
		defer func() { out <- got }()
		for {
			select {
			case m := <-msgs:
				pod := m.Actor.Attributes[identity.LabelPod]
				if _, seen := got[pod]; pod != "" && !seen && m.Actor.Attributes[identity.LabelRole] != identity.RoleInit {
					got[pod] = time.Unix(0, m.TimeNano)
				}
			case <-errs:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// actionLine matches the daemon's debug line for an action's start (slog text format).
var actionLine = regexp.MustCompile(`^time=(\S+) level=DEBUG msg="action start" .*pod=(\S+)`)

// firstFrom returns the first time in ts (in log order) at or after from; zero when none.
func firstFrom(ts []time.Time, from time.Time) time.Time {
	for _, t := range ts {
		// The log has millisecond times: an action logged in the same millisecond counts.
		if !t.Before(from.Truncate(time.Millisecond)) {
			return t
		}
	}
	return time.Time{}
}

// firstActions reads the daemon log from offset and returns the action start times of each
// pod, in log order.
func firstActions(path string, offset int64) (map[string][]time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	out := map[string][]time.Time{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := actionLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			return nil, fmt.Errorf("daemon log time %q: %w", m[1], err)
		}
		out[m[2]] = append(out[m[2]], t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no \"action start\" lines in %s (is the daemon logging at debug level?)", path)
	}
	return out, sc.Err()
}

// readyTimes returns the time of each pod's first PodReady event in namespace ns.
func readyTimes(ctx context.Context, d *cliStarter, ns string) (map[string]time.Time, error) {
	c := exec.CommandContext(ctx, d.bin, "events", "-n", ns, "-o", "json")
	c.Env = d.vars
	b, err := c.Output()
	if err != nil {
		return nil, fmt.Errorf("ordset events: %w", err)
	}
	var evs []struct {
		Time   time.Time `json:"time"`
		Reason string    `json:"reason"`
		Object string    `json:"object"`
	}
	if err := json.Unmarshal(b, &evs); err != nil {
		return nil, fmt.Errorf("ordset events -o json: %w", err)
	}
	out := map[string]time.Time{}
	for _, ev := range evs {
		pod, ok := strings.CutPrefix(ev.Object, "pod/")
		if _, seen := out[pod]; ok && ev.Reason == "PodReady" && !seen {
			out[pod] = ev.Time
		}
	}
	return out, nil
}
