package orchestrator

import (
	"fmt"

	"github.com/ordset/ordset/compose"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// pullNoteEvery bounds how often one container's pull progress becomes an event: a pull
// reports every layer's every chunk, and the event ring and terminals should not drown in it.
const pullNoteEvery = 2 * time.Second

// pullNotes turns image pull progress into throttled EventImagePull events.
type pullNotes struct {
	mu   sync.Mutex
	last map[string]time.Time // container name -> last event
}

// reporter returns the executor's PullProgress callback, publishing through publish.
func (n *pullNotes) reporter(publish func(ProgressEvent), now func() time.Time) func(ContainerSpec, string) {
	return func(spec ContainerSpec, line string) {
		t := now()
		n.mu.Lock()
		if n.last == nil {
			n.last = map[string]time.Time{}
		}
		prev, seen := n.last[spec.Name]
		if seen && t.Sub(prev) < pullNoteEvery {
			n.mu.Unlock()
			return
		}
		n.last[spec.Name] = t
		n.mu.Unlock()
		publish(ProgressEvent{Time: t, Namespace: spec.Labels[identity.LabelNamespace], Set: spec.Labels[identity.LabelSet],
			Pod: spec.Labels[identity.LabelPod], Type: EventImagePull, Message: "pulling " + spec.Image + ": " + line})
	}
}

// ImageStep is what happens to an image before a container is created from it.
type ImageStep int

const (
	// UseLocal runs the image already present.
	UseLocal ImageStep = iota
	// Pull fetches the image first; if that fails, PullFailed says what then.
	Pull
)

// PullDecision applies a container's imagePullPolicy (Kubernetes' words, defaulted by the
// loader) to whether the engine has the image. It is the only place the policy is read:
// the runtime pulls or not as told.
func PullDecision(image, policy string, present bool) (ImageStep, error) {
	switch policy {
	case compose.PullNever:
		if !present {
			return UseLocal, fmt.Errorf("image %s not present and imagePullPolicy is Never: %s: %w",
				image, localImageHint(image), ErrNotFound)
		}
		return UseLocal, nil
	case compose.PullIfNotPresent:
		if present {
			return UseLocal, nil
		}
		return Pull, nil
	case compose.PullAlways:
		return Pull, nil
	}
	return UseLocal, fmt.Errorf("image %s: unknown imagePullPolicy %q", image, policy)
}

// PullFailed decides after a failed pull: a local copy is used (ordset targets laptops and
// CI machines that are often offline, where refusing a present image helps nobody), and
// without one the pull's error stands.
func PullFailed(image string, present bool, err error) (useLocal bool, _ error) {
	if present {
		return true, nil
	}
	return false, fmt.Errorf("image %s not present and pull failed: %w; %s", image, err, localImageHint(image))
}

// localImageHint names the two ways to run a missing image without a registry: give the engine
// an image of that name, or run another one in its place without editing the file (what a
// manifest written for a cluster needs). Setting imagePullPolicy: Never is no help: the image
// would still be missing.
func localImageHint(image string) string {
	return fmt.Sprintf("build or load it locally under that name, or run a local image in its place: --image %s=LOCAL_IMAGE on the command line, or {name: %s, newName: LOCAL_IMAGE} under images: in %s beside the files",
		image, image, compose.ImagesFile)
}
