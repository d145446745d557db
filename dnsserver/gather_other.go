//go:build !linux

package dnsserver

// gatherAvailable is false where batches are single reads: every query is answered at once.
const gatherAvailable = false

const readNoWait = 0

func errorIsWouldBlock(error) bool { return false }
