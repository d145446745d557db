package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// progress renders per-pod progress lines from watch frames, the way `docker compose up`
// does: redrawn in place on a terminal, one line per change otherwise.
type progress struct {
	mu    sync.Mutex // update and note (the watch) and the tty clock's redraws
	out   io.Writer
	tty   bool
	color bool

	pods    map[string]*podLine // namespace/pod
	order   []string
	waiting map[string]string // namespace/set -> controller's waiting reason
	rollout map[string]string // namespace/set -> "1/3 updated" while a rolling update runs
	drawn   int               // lines on screen (tty mode)
	// width is the terminal's; tty lines are cut to it, since a wrapped line would throw
	// the cursor-up count of the redraw off (0: do not cut).
	width int
}

type podLine struct {
	key      string
	state    string
	since    time.Time // first seen
	doneAt   time.Time // when it reached a final state; zero while in progress
	final    bool
	failed   bool
	lastShow string // last plain line printed for it
}

func newProgress(out io.Writer, tty bool) *progress {
	noColor := os.Getenv("NO_COLOR") != "" // no-color.org: set and not empty
	p := &progress{out: out, tty: tty, color: tty && !noColor, pods: map[string]*podLine{}, waiting: map[string]string{}, rollout: map[string]string{}}
	if tty {
		p.width = 80
		if f, ok := out.(*os.File); ok {
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				p.width = w
			}
		}
	}
	return p
}

// update folds a frame in and redraws. watched lists the sets the frame covers, so pods of
// those sets missing from the frame are shown as Removed.
func (p *progress) update(f api.WatchFrame, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	present := map[string]bool{}
	covered := map[string]bool{}
	for _, s := range f.Sets {
		covered[s.Namespace+"/"+s.Name] = true
		p.waiting[s.Namespace+"/"+s.Name] = s.Waiting
		p.noteRollout(s)
		condemned := condemnedPods(s)
		for _, pod := range s.Pods {
			key := pod.Namespace + "/" + pod.Name
			present[key] = true
			state, final := podState(pod, s.Revision)
			// A pod being scaled away may die on its way out (a daemon restarted mid scale-down
			// finds it in Error): that fails nothing.
			p.set(key, state, final, pod.Status.Failed() && !condemned[pod.Name], now)
		}
	}
	for _, g := range f.Gone {
		covered[g] = true
		delete(p.waiting, g)
		delete(p.rollout, g)
	}
	for _, key := range p.order {
		l := p.pods[key]
		if present[key] || l.state == "Removed" {
			continue
		}
		ns, pod, _ := strings.Cut(key, "/")
		if covered[ns+"/"+setOfPod(pod)] {
			p.set(key, "Removed", true, false, now)
		}
	}
	p.draw(now)
}

// podState is a pod's progress line state and whether it is done: Ready on the set's current
// revision. A Ready pod still on an old revision is waiting for its turn in a rolling update,
// and a running pod that is not Ready says why (its last probe failure).
func podState(pod api.Pod, revision string) (string, bool) {
	switch {
	case pod.Ready && revision != "" && pod.Revision != "" && pod.Revision != revision:
		return "Ready, outdated", false
	case pod.Ready:
		return "Ready", true
	case pod.Reason != "":
		return string(pod.Status) + ", not ready: " + oneLine(pod.Reason, 60), false
	}
	return string(pod.Status), false
}

// noteRollout tracks "n/N updated" of a set while some of its pods run an older revision
// (a rolling update, not a scale-up: missing pods are not outdated ones).
func (p *progress) noteRollout(s api.StatefulSet) {
	key := s.Namespace + "/" + s.Name
	if s.Updated >= s.Current || s.Desired == 0 {
		delete(p.rollout, key)
		return
	}
	msg := fmt.Sprintf("%d/%d updated", s.Updated, s.Desired)
	if !p.tty && p.rollout[key] != msg {
		fmt.Fprintf(p.out, "- StatefulSet %s %s\n", key, msg)
	}
	p.rollout[key] = msg
}

// oneLine makes a probe's output fit a progress line: no markup, no line breaks, at most n
// characters (an HTTP probe's body can be a whole HTML page).
func oneLine(s string, n int) string {
	s = htmlTagRE().ReplaceAllString(s, " ")
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

var htmlTagRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<[^>]*>`) })

// animate redraws the block on a terminal every interval, so elapsed times and spinners move
// between frames; the returned function stops it.
func (p *progress) animate(interval time.Duration) func() {
	if !p.tty {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				p.mu.Lock()
				if p.drawn > 0 {
					p.draw(now)
				}
				p.mu.Unlock()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func setOfPod(pod string) string {
	if i := strings.LastIndexByte(pod, '-'); i > 0 {
		return pod[:i]
	}
	return pod
}

func (p *progress) set(key, state string, final, failed bool, now time.Time) {
	l, ok := p.pods[key]
	if !ok {
		l = &podLine{key: key, since: now}
		p.pods[key] = l
		p.order = append(p.order, key)
		sort.SliceStable(p.order, func(i, j int) bool { return podLess(p.order[i], p.order[j]) })
	}
	if l.state != state {
		l.state = state
		if final || failed {
			l.doneAt = now
		} else {
			l.doneAt = time.Time{}
		}
	}
	l.final, l.failed = final, failed
}

// podLess orders namespace/set-ordinal keys by set then numeric ordinal.
func podLess(a, b string) bool {
	sa, oa := splitOrdinal(a)
	sb, ob := splitOrdinal(b)
	if sa != sb {
		return sa < sb
	}
	return oa < ob
}

func splitOrdinal(key string) (string, int) {
	i := strings.LastIndexByte(key, '-')
	if i < 0 {
		return key, 0
	}
	var n int
	if _, err := fmt.Sscanf(key[i+1:], "%d", &n); err != nil {
		return key, 0
	}
	return key[:i], n
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func (p *progress) line(l *podLine, now time.Time) string {
	end := now
	if !l.doneAt.IsZero() {
		end = l.doneAt
	}
	icon, paint := spinner[int(now.UnixMilli()/100)%len(spinner)], ""
	switch {
	case l.failed:
		icon, paint = "✘", "\x1b[31m"
	case l.final:
		icon, paint = "✔", "\x1b[32m"
	}
	if !p.tty {
		icon = map[bool]string{true: "✔", false: "-"}[l.final]
		if l.failed {
			icon = "✘"
		}
	}
	state := fmt.Sprintf("%-18s", l.state) // pad before colouring: escapes have no width
	if p.color && paint != "" {
		state = paint + state + "\x1b[0m"
	}
	return fmt.Sprintf("%s Pod %-28s %s %s", icon, l.key, state, fmtElapsed(end.Sub(l.since)))
}

func fmtElapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func (p *progress) draw(now time.Time) {
	if !p.tty {
		// Within one frame, pods that finished (Ready, Removed) print before pods that
		// moved on, as that is the order they happened in: redis-4 Removed, then
		// redis-3 Terminating.
		for _, finished := range []bool{true, false} {
			for _, key := range p.order {
				l := p.pods[key]
				if l.state != l.lastShow && (l.final || l.failed) == finished {
					l.lastShow = l.state
					fmt.Fprintln(p.out, p.line(l, now))
				}
			}
		}
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	n := 0
	for _, key := range p.order {
		b.WriteString("\r\x1b[2K" + p.line(p.pods[key], now) + "\n")
		n++
	}
	for _, set := range slices.Sorted(maps.Keys(p.waiting)) {
		w := p.waiting[set]
		if r := p.rollout[set]; r != "" {
			w = strings.TrimSuffix(r+"; "+w, "; ")
		}
		if w != "" {
			b.WriteString("\r\x1b[2K" + p.cut("  "+set+": "+w) + "\n")
			n++
		}
	}
	// Clear lines left from a taller frame (a waiting reason that went away), then return
	// to the block's end, so no blank line stays between the block and what follows.
	if extra := p.drawn - n; extra > 0 {
		b.WriteString(strings.Repeat("\r\x1b[2K\n", extra))
		fmt.Fprintf(&b, "\x1b[%dA", extra)
	}
	p.drawn = n
	io.WriteString(p.out, b.String())
}

// note prints a message above the pod lines (on a terminal the block is redrawn below it).
func (p *progress) note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn > 0 {
		fmt.Fprintf(p.out, "\x1b[%dA\r\x1b[2K%s\n", p.drawn, p.cut(msg)) // the full text ends the command if it fails
		p.drawn--                                                        // the note took the block's first line; the next draw starts below it
		if p.drawn > 0 {
			fmt.Fprintf(p.out, "\x1b[%dB", p.drawn)
		}
		return
	}
	fmt.Fprintln(p.out, msg)
}

// cut shortens s to the terminal width (tty mode), marking the cut with "…". Pod lines
// carry colour escapes and fit anyway; cut is for free text.
func (p *progress) cut(s string) string {
	if p.width <= 0 || utf8.RuneCountInString(s) < p.width {
		return s
	}
	r := []rune(s)
	return string(r[:p.width-2]) + "…"
}

// condemnedPods names the pods above the set's desired count (the highest ordinals), which a
// scale-down or a deletion removes.
func condemnedPods(s api.StatefulSet) map[string]bool {
	pods := slices.Clone(s.Pods)
	slices.SortFunc(pods, func(a, b api.Pod) int { return a.Ordinal - b.Ordinal })
	out := map[string]bool{}
	for i, p := range pods {
		if i >= s.Desired {
			out[p.Name] = true
		}
	}
	return out
}

// firstFailure returns a failed pod's line, or "".
func (p *progress) firstFailure() string {
	for _, key := range p.order {
		if l := p.pods[key]; l.failed {
			return "pod " + key + " is " + l.state
		}
	}
	return ""
}
