// Package store keeps the daemon's desired state durable: applied specs, live replica counts,
// revision history and recent events.
//
// It is an embedded go.etcd.io/bbolt database, one file in the state directory. bbolt was
// chosen because it is a single file with no server, gives ACID transactions that survive a
// crash at any instant (copy-on-write B+tree, fsync on commit), is pure Go (no cgo in the
// binary) and is well maintained (it is etcd's storage engine). The daemon's working set is
// a few kilobytes per set, far below anything that would call for more.
//
// The store holds only what the user asked for. What exists is always observed from Docker
// labels, so a daemon killed between a store write and a Docker call converges on restart.
package store
