package docker

import (
	"sync"
	"time"

	"github.com/docker/docker/api/types/volume"
)

// freshReuse bounds how long a volume this runtime just created stands in for an inspect.
// The planner creates a pod's claim volumes in the same step as its container, so the
// container create follows within this; a container made later inspects again.
const freshReuse = 30 * time.Second

// freshVolumes remembers the volumes this runtime created moments ago, as the engine
// answered the create. The container create that follows mounts them without inspecting
// each again (one engine call less per claim of every new pod: 200 of them in a Parallel
// set of 200); each answer is used once, so a later pod of the name inspects again and a
// volume removed by hand since is found missing as before.
type freshVolumes struct {
	mu sync.Mutex
	m  map[string]freshVolume
}

type freshVolume struct {
	v  volume.Volume
	at time.Time
}

// put remembers a volume just created, dropping entries too old to be used.
func (f *freshVolumes) put(v volume.Volume) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]freshVolume{}
	}
	for k, e := range f.m {
		if time.Since(e.at) > freshReuse {
			delete(f.m, k)
		}
	}
	f.m[v.Name] = freshVolume{v, time.Now()}
}

// take returns (and forgets) the volume of that name when it was created recently.
func (f *freshVolumes) take(name string) (volume.Volume, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.m[name]
	delete(f.m, name)
	return e.v, ok && time.Since(e.at) <= freshReuse
}
