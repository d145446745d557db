package dnsserver

import (
	"errors"
	"syscall"
)

// gatherAvailable: batches come from recvmmsg, which can be asked not to block.
const gatherAvailable = true

// readNoWait makes a batch read return at once when no datagram is queued.
const readNoWait = syscall.MSG_DONTWAIT

func errorIsWouldBlock(err error) bool { return errors.Is(err, syscall.EAGAIN) }
