package testenv

import (
	"github.com/docker/docker/api/types/volume"
	"testing"
	"time"
)

func TestOldEnough(t *testing.T) {
	cutoff := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		created time.Time
		want    bool
	}{
		{"before the cutoff", cutoff.Add(-time.Minute), true},
		{"after the cutoff: a run going on now", cutoff.Add(time.Minute), false},
		{"at the cutoff", cutoff, false},
		{"unknown creation time", time.Time{}, true},
	}
	for _, tt := range tests {
		if got := oldEnough(tt.created, cutoff); got != tt.want {
			t.Errorf("%s: oldEnough = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVolumeCreated(t *testing.T) {
	if got := volumeCreated(&volume.Volume{CreatedAt: "2026-01-01T12:00:00Z"}); !got.Equal(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("volumeCreated = %v", got)
	}
	if got := volumeCreated(&volume.Volume{}); !got.IsZero() {
		t.Errorf("no CreatedAt: %v, want zero", got)
	}
}
