package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// startResults holds every timed start: mode -> replicas -> samples.
type startResults map[string]map[int][]time.Duration

func (r startResults) add(mode string, n int, d time.Duration) {
	if r[mode] == nil {
		r[mode] = map[int][]time.Duration{}
	}
	r[mode][n] = append(r[mode][n], d)
}

// healResults holds the kill-to-Ready times of each self-healing variant.
type healResults struct {
	docker, ordset []time.Duration
}

// report prints the side-by-side table: medians, then the ratios the project targets.
func report(w io.Writer, cfg config, starters []starter, r startResults, h healResults) {
	fmt.Fprintf(w, "\nordered start to all Ready, image %s, median of %d runs\n", cfg.image, cfg.runs)
	head := []string{"N"}
	for _, s := range starters {
		head = append(head, s.name())
	}
	ratios := [][2]string{{"ordset-up", "baseline"}, {"ordset", "baseline"}, {"ordset-up", "api"}, {"ordset", "api"},
		{"compose", "ordset-up"}, {"compose", "ordset"}}
	var shown [][2]string
	for _, q := range ratios {
		if r[q[0]] != nil && r[q[1]] != nil {
			shown = append(shown, q)
			head = append(head, q[0]+"/"+q[1])
		}
	}
	rows := [][]string{head}
	for _, n := range cfg.sizes {
		row := []string{fmt.Sprint(n)}
		for _, s := range starters {
			row = append(row, ms(median(r[s.name()][n])))
		}
		for _, q := range shown {
			row = append(row, ratio(median(r[q[0]][n]), median(r[q[1]][n])))
		}
		rows = append(rows, row)
	}
	table(w, rows)
	fmt.Fprintln(w, "(target: ordset/baseline <= 0.85)")
	fmt.Fprintln(w)
	rows = [][]string{{"variant", "N", "samples (ms)"}}
	for _, s := range starters {
		for _, n := range cfg.sizes {
			rows = append(rows, []string{s.name(), fmt.Sprint(n), list(r[s.name()][n])})
		}
	}
	table(w, rows)
	if len(h.docker)+len(h.ordset) == 0 {
		return
	}
	fmt.Fprintf(w, "\nself-heal: docker kill -> Ready again, %d kills, gap %s\n", cfg.kills, cfg.healGap)
	rows = [][]string{{"variant", "median", "p90", "max", "samples (ms)"}}
	for _, v := range []struct {
		name string
		d    []time.Duration
	}{{"docker --restart always", h.docker}, {"ordset", h.ordset}} {
		rows = append(rows, []string{v.name, ms(median(v.d)), ms(quantile(v.d, 0.9)), ms(quantile(v.d, 1)), list(v.d)})
	}
	table(w, rows)
	fmt.Fprintf(w, "ordset/docker: median %s, p90 %s (target <= 1.00)\n", ratio(median(h.ordset), median(h.docker)),
		ratio(quantile(h.ordset, 0.9), quantile(h.docker, 0.9)))
}

// reportProbes prints the probe-cost rounds and the ratio of the medians.
func reportProbes(w io.Writer, cfg config, p probeResults) {
	if len(p.docker) == 0 {
		return
	}
	fmt.Fprintf(w, "\nprobe cost: %d pods, exec probe every 1 s, CPU of this process + dockerd + containerd + shims over %s, %d rounds\n",
		cfg.probePods, cfg.probeWindow, len(p.docker))
	pct := func(xs []float64) string {
		var parts []string
		for _, x := range xs {
			parts = append(parts, fmt.Sprintf("%.1f", x))
		}
		return strings.Join(parts, " ")
	}
	table(w, [][]string{{"variant", "median", "rounds (% of one core)"},
		{"docker HEALTHCHECK", fmt.Sprintf("%.1f %%", median(p.docker)), pct(p.docker)},
		{"ordset exec probe", fmt.Sprintf("%.1f %%", median(p.ordset)), pct(p.ordset)}})
	var ratios []string
	for i := range min(len(p.ordset), len(p.docker)) {
		ratios = append(ratios, fmt.Sprintf("%.2f", p.ordset[i]/p.docker[i]))
	}
	fmt.Fprintf(w, "ordset/docker per round: %s (target <= 1.00)\n", strings.Join(ratios, " "))
}
