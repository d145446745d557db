package main

import (
	"fmt"
	"io"
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
func report(w io.Writer, cfg config, r startResults, h healResults) {
	fmt.Fprintf(w, "\nordered start to all Ready, image %s, median of %d runs (samples in ms)\n", cfg.image, cfg.runs)
	rows := [][]string{{"N", "baseline", "compose", "ordset", "ordset/baseline (target<=1.15)", "compose/ordset"}}
	for _, n := range cfg.sizes {
		b, c, o := median(r["baseline"][n]), median(r["compose"][n]), median(r["ordset"][n])
		rows = append(rows, []string{fmt.Sprint(n), ms(b), ms(c), ms(o), ratio(o, b), ratio(c, o)})
	}
	table(w, rows)
	fmt.Fprintln(w)
	rows = [][]string{{"samples", "N", "ms"}}
	for _, mode := range []string{"baseline", "compose", "ordset"} {
		for _, n := range cfg.sizes {
			if s := r[mode][n]; len(s) > 0 {
				rows = append(rows, []string{mode, fmt.Sprint(n), list(s)})
			}
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
	fmt.Fprintf(w, "ordset/docker (median): %s\n", ratio(median(h.ordset), median(h.docker)))
}
