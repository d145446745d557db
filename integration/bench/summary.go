package main

import (
	"fmt"
	"io"
	"time"
)

// Summary rows go into the one table at the top of BENCHMARKS.md: each figure with ordset's
// value, the peer's, the ratio and whether the project's target holds.

// summaryRow prints one markdown row; lower ratios are better for every engine figure.
func summaryRow(w io.Writer, figure, ordset, peer string, ratio, target float64) {
	verdict := "met"
	if ratio == 0 {
		verdict = "not measured"
	} else if ratio > target {
		verdict = "**missed**"
	}
	fmt.Fprintf(w, "| %s | %s | %s | **%.2f** | ≤ %.2f: %s |\n", figure, ordset, peer, ratio, target, verdict)
}

func durRatio(a, b time.Duration) float64 {
	if a == 0 || b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// writeSummary prints the engine's rows of the summary table.
func writeSummary(w io.Writer, cfg config, r startResults, h healResults, p probeResults) {
	for _, n := range cfg.sizes {
		for _, v := range []struct{ mode, label string }{{"ordset-up", "`ordset up`"}, {"ordset", "ordset engine in process"}} {
			o, b := median(r[v.mode][n]), median(r["baseline"][n])
			if o == 0 || b == 0 {
				continue
			}
			summaryRow(w, fmt.Sprintf("ordered start, %d pods with a volume, to all Ready (%s vs hand-run docker CLI)", n, v.label),
				ms(o), ms(b), durRatio(o, b), 0.85)
		}
		if o, c := median(r["ordset-up"][n]), median(r["compose"][n]); o != 0 && c != 0 {
			summaryRow(w, fmt.Sprintf("ordered start, %d pods, `ordset up` vs docker-compose depends_on chain", n), ms(o), ms(c), durRatio(o, c), 1)
		}
	}
	if len(h.ordset) > 0 && len(h.docker) > 0 {
		summaryRow(w, fmt.Sprintf("self-heal, kill to Ready again, median of %d kills of different pods (vs Docker --restart always)", len(h.ordset)),
			ms(median(h.ordset)), ms(median(h.docker)), durRatio(median(h.ordset), median(h.docker)), 1)
		summaryRow(w, "self-heal, p90", ms(quantile(h.ordset, 0.9)), ms(quantile(h.docker, 0.9)),
			durRatio(quantile(h.ordset, 0.9), quantile(h.docker, 0.9)), 1)
	}
	if len(p.docker) > 0 {
		// Rounds are paired (the variants run back to back), so the ratio is the median of the
		// per-round ratios: dockerd serves the whole shared engine and drifts between rounds.
		var ratios []float64
		for i := range min(len(p.ordset), len(p.docker)) {
			ratios = append(ratios, p.ordset[i]/p.docker[i])
		}
		summaryRow(w, fmt.Sprintf("probe cost, %d pods, exec probe every 1 s, CPU of engine + dockerd + containerd + shims (vs Docker HEALTHCHECK)", cfg.probePods),
			fmt.Sprintf("%.1f %%", median(p.ordset)), fmt.Sprintf("%.1f %%", median(p.docker)), median(ratios), 1)
	}
}
