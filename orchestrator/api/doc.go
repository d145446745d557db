// Package api is the daemon API: HTTP+JSON over a unix socket, its server and its client.
package api
