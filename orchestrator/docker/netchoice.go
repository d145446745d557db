package docker

import (
	"slices"
	"strings"
	"time"
)

// netCandidate is one engine network carrying a namespace network's exact name. Docker 20.10
// checks names only best effort, so two creates racing (a killed daemon's request still in
// flight and its successor's) can leave two networks of one name.
type netCandidate struct {
	ID        string
	Created   time.Time
	Owned     bool // carries this daemon's ownership labels
	Endpoints int  // containers attached; -1 when not inspected
}

// netChoice is what to do with the networks of one name.
type netChoice struct {
	Keep   string   // the owned network every container is attached to ("" when none is owned)
	Remove []string // owned duplicates with no container: safe to remove
	Busy   []string // owned duplicates with containers (or not inspected): left, logged
}

// chooseNetwork keeps the oldest owned network (by creation time, then ID, so every daemon
// and every pass agree) and sorts the other owned ones into removable and busy. Foreign
// networks are never kept nor removed.
func chooseNetwork(cands []netCandidate) netChoice {
	owned := make([]netCandidate, 0, len(cands))
	for _, c := range cands {
		if c.Owned {
			owned = append(owned, c)
		}
	}
	if len(owned) == 0 {
		return netChoice{}
	}
	slices.SortFunc(owned, func(a, b netCandidate) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ch := netChoice{Keep: owned[0].ID}
	for _, c := range owned[1:] {
		if c.Endpoints == 0 {
			ch.Remove = append(ch.Remove, c.ID)
		} else {
			ch.Busy = append(ch.Busy, c.ID)
		}
	}
	return ch
}
