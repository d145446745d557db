// Package statedir owns one state directory and the daemon's place in it: where the socket,
// lock, store, log and owner id live, the flock that makes one daemon per directory, and
// the client side of reaching (Connect), starting (EnsureRunning) and stopping (Stop) that daemon in the
// background. The CLI uses it without pulling in the daemon; the daemon uses it to claim
// its directory.
package statedir
