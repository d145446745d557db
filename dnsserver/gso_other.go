//go:build !linux

package dnsserver

// gsoAvailable is false where UDP_SEGMENT does not exist: one datagram per reply.
const gsoAvailable = false

const gsoControlSpace = 0

func gsoControl(b []byte, _ int) []byte { return b }
