package main

import (
	"os"
	"os/signal"
	"syscall"
)

// pauseCommand is the hidden entry point of a pod's infrastructure container (the image is
// this binary alone; see orchestrator/docker.EnsureInfraImage). It is not a CLI command: it
// must run in an empty filesystem with no home, state directory or engine.
const pauseCommand = "pause"

// pause holds the pod's namespaces: it sleeps until SIGTERM or SIGINT and exits 0. As PID 1
// of a shared process namespace (shareProcessNamespace) it also reaps orphaned children, so
// the pod's exited processes do not linger as zombies.
func pause() int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			return 0
		}
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
	return 0
}
