//go:build !linux

package dnsserver

// msgTrunc is only reported by Linux' recvmmsg; elsewhere batches are single reads.
const msgTrunc = 0
