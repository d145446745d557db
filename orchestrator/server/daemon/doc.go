// Package daemon assembles the ordset daemon: the container runtime, one Manager for every
// namespace, the embedded DNS server, the durable store and the API server on a unix socket.
//
// It owns no policy of its own. The store says what the user asked for, the Manager makes
// Docker match it, and the daemon wires the two together: on start it replays the store into
// the Manager (so a daemon killed at any instant converges when it comes back), it publishes
// a DNS snapshot whenever pods change, and it keeps a DNS listener on the gateway of every
// ordset network. The cmd package stays a thin shell around Run and statedir.Connect.
package daemon
