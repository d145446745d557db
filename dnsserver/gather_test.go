package dnsserver

import (
	"testing"
	"time"
)

func TestKeepGathering(t *testing.T) {
	us := time.Microsecond
	tests := []struct {
		name                  string
		n                     int
		sinceLast, sinceStart time.Duration
		want                  bool
	}{
		{"a lone query is answered at once", 1, 0, 0, false},
		{"an A and AAAA pair is answered at once", 2, 0, 0, false},
		{"a backlog keeps reading", gatherTrigger, 0, 0, true},
		{"queries still arriving", 10, gatherGap, 100 * us, true},
		{"the burst is over", 10, gatherGap + us, 100 * us, false},
		{"the first query waited long enough", 10, 0, gatherMax + us, false},
		{"the batch is full", udpBatch, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.want && gatherAvailable
			if got := keepGathering(tt.n, tt.sinceLast, tt.sinceStart); got != want {
				t.Errorf("keepGathering(%d, %v, %v) = %v, want %v", tt.n, tt.sinceLast, tt.sinceStart, got, want)
			}
		})
	}
}
