package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// scale runs the parts of the scale benchmark cfg.modes asks for. Both need the ordset binary.
func (e *env) scale(ctx context.Context) (scaleResults, error) {
	var res scaleResults
	if !e.cfg.modes["scale-parallel"] && !e.cfg.modes["scale-ordered"] {
		return res, nil
	}
	if e.cfg.bin == "" {
		return res, fmt.Errorf("the scale benchmark needs the ordset binary (-ordset)")
	}
	if e.cfg.modes["scale-parallel"] {
		if err := e.scaleParallel(ctx, &res); err != nil {
			reportScale(os.Stdout, e.cfg, res) // what was measured before the failure
			return res, err
		}
	}
	if e.cfg.modes["scale-ordered"] {
		if err := e.scaleOrdered(ctx, &res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// orderedEnds returns, over the rounds, the median of each round's first-ends and last-ends
// medians, for turn (react=false) or react.
func orderedEnds(rounds []orderedRound, react bool) (first, last time.Duration) {
	var fs, ls []time.Duration
	for _, r := range rounds {
		xs := r.turn
		if react {
			xs = r.react
		}
		if len(xs) == 0 {
			continue
		}
		f, l := ends(xs, scaleEnds)
		fs, ls = append(fs, f), append(ls, l)
	}
	return median(fs), median(ls)
}

// fineMs shows short durations with a tenth of a millisecond.
func fineMs(d time.Duration) string {
	if d >= 100*time.Millisecond || d == 0 {
		return ms(d)
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func kb(xs []int64) string {
	if len(xs) == 0 {
		return "-"
	}
	var v []float64
	for _, x := range xs {
		v = append(v, float64(x))
	}
	return fmt.Sprintf("%.1f MB", median(v)/1024)
}

// reportScale prints the scale rounds in full.
func reportScale(w io.Writer, cfg config, s scaleResults) {
	if len(s.ordsetUp)+len(s.composeUp) > 0 {
		fmt.Fprintf(w, "\nscale: Parallel set of %d pods with a claim volume each (image %s, sleep) to Running,\n", cfg.scalePods, cfg.scaleImage)
		fmt.Fprintf(w, "vs docker-compose up -d --scale kv=%d of the same image without volumes; %d rounds\n", cfg.scalePods, len(s.composeUp))
		fmt.Fprintln(w, "(compose's default puts the replicas on a network of the project's own, as ordset has one per namespace; here compose joins")
		fmt.Fprintln(w, "one user-defined network made for all rounds. On the default bridge Docker 20.10 skips its embedded DNS resolver, about")
		fmt.Fprintln(w, "11 iptables calls per container start, so that variant is shown apart)")
		table(w, [][]string{{"variant", "median", "samples (ms)"},
			{"ordset up (Parallel, volumes)", ms(median(s.ordsetUp)), list(s.ordsetUp)},
			{"docker-compose --scale (no volumes, user network)", ms(median(s.composeUp)), list(s.composeUp)},
			{"docker-compose --scale (no volumes, default bridge)", ms(median(s.composeBridge)), list(s.composeBridge)}})
		fmt.Fprintf(w, "ordset/compose: %s (target <= 1.00); against compose on the default bridge: %s\n",
			ratio(median(s.ordsetUp), median(s.composeUp)), ratio(median(s.ordsetUp), median(s.composeBridge)))
		rss := make([]string, len(s.rssKB))
		for i := range s.rssKB {
			rss[i] = fmt.Sprintf("%.1f/%.1f", float64(s.rssKB[i])/1024, float64(s.hwmKB[i])/1024)
		}
		fmt.Fprintf(w, "daemon with %d pods: VmRSS median %s (target < 40 MB); per round VmRSS/VmHWM MB: %v\n", cfg.scalePods, kb(s.rssKB), rss)
		fmt.Fprintf(w, "ordset ps -n NS with %d pods, median of %d runs per round: %s (target < 50 ms); rounds %s ms; docker ps of the same containers: %s ms\n",
			cfg.scalePods, cfg.psRuns, ms(median(s.ps)), list(s.ps), list(s.dockerPs))
	}
	if len(s.ordered) > 0 {
		fmt.Fprintf(w, "\nscale: OrderedReady 0 -> %d pods, controller time per step, median of steps 1-%d vs %d-%d, %d rounds\n",
			cfg.scaleOrdered, scaleEnds, cfg.scaleOrdered-scaleEnds, cfg.scaleOrdered-1, len(s.ordered))
		fmt.Fprintln(w, "turn: engine start event of pod k-1 -> daemon's next action for pod k (its start when created ahead); react: PodReady event of pod k-1 -> that action")
		fmt.Fprintln(w, "(the daemon's log times have millisecond resolution, so react, about 1 ms, is only its order of magnitude)")
		rows := [][]string{{"round", "turn first", "turn last", "ratio", "react first", "react last", "turn per step (ms)"}}
		for i, r := range s.ordered {
			tf, tl := ends(r.turn, scaleEnds)
			rf, rl := ends(r.react, scaleEnds)
			rows = append(rows, []string{fmt.Sprint(i + 1), fineMs(tf), fineMs(tl), ratio(tl, tf), fineMs(rf), fineMs(rl), list(r.turn)})
		}
		table(w, rows)
	}
}

// writeScaleReport prints the scale details to cfg.scaleReport, or stdout.
func writeScaleReport(cfg config, s scaleResults) error {
	if cfg.scaleReport == "" {
		reportScale(os.Stdout, cfg, s)
		return nil
	}
	f, err := os.Create(cfg.scaleReport)
	if err != nil {
		return fmt.Errorf("scale report: %w", err)
	}
	reportScale(f, cfg, s)
	return f.Close()
}

// absoluteRow prints a summary row whose target is an absolute limit (lower is better).
func absoluteRow(w io.Writer, figure, ordset, peer string, value, limit float64, unit string) {
	verdict := "met"
	if value >= limit {
		verdict = "**missed**"
	}
	fmt.Fprintf(w, "| %s | %s | %s | — | < %g %s: %s |\n", figure, ordset, peer, limit, unit, verdict)
}

// writeScaleSummary prints the scale rows of the summary table.
func writeScaleSummary(w io.Writer, cfg config, s scaleResults) {
	if o, c := median(s.ordsetUp), median(s.composeUp); o > 0 && c > 0 {
		summaryRow(w, fmt.Sprintf("scale: Parallel set of %d pods with a claim volume each, to Running (`ordset up` vs `docker-compose up -d --scale kv=%d`, no volumes, on a user-defined network as compose's default)",
			cfg.scalePods, cfg.scalePods), ms(o), ms(c), durRatio(o, c), 1)
	}
	if o, b := median(s.ordsetUp), median(s.composeBridge); o > 0 && b > 0 {
		fmt.Fprintf(w, "| scale: the same against compose's replicas on Docker's default bridge (`network_mode: bridge`: no embedded DNS resolver to set up per container) | %s | %s | %.2f | — |\n",
			ms(o), ms(b), durRatio(o, b))
	}
	if len(s.ordered) > 0 {
		f, l := orderedEnds(s.ordered, false)
		summaryRow(w, fmt.Sprintf("scale: OrderedReady 0 → %d, controller time per step (engine start of pod k-1 → the daemon's next action for pod k), median of the last %d steps vs the first %d",
			cfg.scaleOrdered, scaleEnds, scaleEnds), fineMs(l), fineMs(f)+" (first steps)", durRatio(l, f), 1.2)
	}
	if len(s.rssKB) > 0 {
		var v []float64
		for _, x := range s.rssKB {
			v = append(v, float64(x)/1024)
		}
		absoluteRow(w, fmt.Sprintf("scale: daemon memory (VmRSS) with %d pods", cfg.scalePods), kb(s.rssKB), "—", median(v), 40, "MB")
	}
	if p := median(s.ps); p > 0 {
		absoluteRow(w, fmt.Sprintf("scale: `ordset ps` with %d pods, median of %d runs (peer: `docker ps` of the same containers)", cfg.scalePods, cfg.psRuns),
			ms(p), ms(median(s.dockerPs)), float64(p)/float64(time.Millisecond), 50, "ms")
	}
}
