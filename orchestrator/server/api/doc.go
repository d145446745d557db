// Package api is the daemon API: HTTP+JSON over a unix socket, its server and its typed client.
//
// The wire types here are the API's own (not the controller's structs) so the JSON the CLI
// prints with -o json stays stable while the controller evolves. The server delegates every
// call to a Backend (the daemon); the client maps JSON errors ({error, code}) back to the
// sentinel errors below so callers branch with errors.Is.
//
// Endpoints (all under /v1):
//
//	GET  version, status                daemon build; pid, socket, DNS listeners, orphans
//	POST apply, scale, delete, restart  change desired state (restart = rollout restart)
//	GET  pods, statefulsets, describe   observed state (?namespace=, "" for all)
//	GET  events, watch                  JSON lines; events?follow=1 keeps going, watch streams
//	                                    progress frames until the client hangs up
//	GET  logs                           a pod's logs as a raw byte stream (?follow=1&tail=N&previous=1)
//	GET  exec-target                    the container of a pod
//	POST shutdown                       stop the daemon; pods keep running
//
// Exec is deliberately not proxied: the daemon resolves the pod to its container and the CLI
// attaches to the engine itself, so an interactive terminal (exec -it) needs no hijacked
// connection through the daemon.
package api
