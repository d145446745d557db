package main

import (
	"strconv"
	"strings"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// imagesText is the image of a one-container pod, or "name=image" for each container of a
// pod with several (native sidecars first, marked "(sidecar)"), as describe and rollout
// history show them.
func imagesText(s *compose.StatefulSet) string {
	spec := &s.Template.Spec
	if len(spec.Containers) == 1 && !hasSidecar(s) {
		return s.Main().Image
	}
	var parts []string
	for i, ic := range spec.InitContainers {
		if ic.Sidecar() {
			img, _ := s.ImageOf(i)
			parts = append(parts, ic.Name+"="+img+" (sidecar)")
		}
	}
	for _, c := range spec.Containers {
		parts = append(parts, c.Name+"="+c.Image)
	}
	return strings.Join(parts, ", ")
}

func hasSidecar(s *compose.StatefulSet) bool {
	for _, ic := range s.Template.Spec.InitContainers {
		if ic.Sidecar() {
			return true
		}
	}
	return false
}

// readyText is ps's READY column: ready containers of all, as kubectl shows it.
func readyText(p api.Pod) string {
	if len(p.Containers) == 0 {
		if p.Ready {
			return "1/1"
		}
		return "0/1"
	}
	n := 0
	for _, c := range p.Containers {
		if c.Ready {
			n++
		}
	}
	return strconv.Itoa(n) + "/" + strconv.Itoa(len(p.Containers))
}
