package daemon

import (
	"strings"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// describedEvent decides whether describe shows an event: for a set, the set's and its pods'
// events; for a pod, the pod's own and the set's events that name it ("restart web-1"), not
// its siblings' news.
func describedEvent(e store.Event, set string, pod *api.Pod) bool {
	if pod == nil {
		return e.Object == "statefulset/"+set || strings.HasPrefix(e.Object, "pod/"+set+"-")
	}
	return e.Object == "pod/"+pod.Name || e.Object == "statefulset/"+set && mentions(e.Message, pod.Name)
}

// mentions reports whether text names pod as a word: web-1 is not in "web-10".
func mentions(text, pod string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], pod)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(pod)
		if (start == 0 || !nameChar(text[start-1])) && (end == len(text) || !nameChar(text[end])) {
			return true
		}
		i = end
	}
}

func nameChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-'
}
