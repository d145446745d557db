// Package api is the daemon API: HTTP+JSON over a unix socket, its server and its typed client.
//
// The wire types here are the API's own (not the controller's structs) so the JSON the CLI
// prints with -o json stays stable while the controller evolves. The server delegates every
// call to a Backend (the daemon); the client maps JSON errors ({error, code}) back to the
// sentinel errors below so callers branch with errors.Is. Long-running calls (events -f,
// progress watches) stream JSON lines; logs stream raw bytes.
package api
