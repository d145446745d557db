package dnsserver

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// gsoAvailable: Linux has had UDP_SEGMENT since 4.18; an older kernel refuses the first
// grouped send and the listener falls back to one datagram per reply.
const gsoAvailable = true

// gsoControlSpace is the control-message space one UDP_SEGMENT option needs.
var gsoControlSpace = unix.CmsgSpace(2)

// gsoControl writes the UDP_SEGMENT control message for segments of size bytes into b.
func gsoControl(b []byte, size int) []byte {
	b = b[:gsoControlSpace]
	clear(b)
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level = unix.SOL_UDP
	h.Type = unix.UDP_SEGMENT
	h.SetLen(unix.CmsgLen(2))
	binary.NativeEndian.PutUint16(b[unix.CmsgLen(0):], uint16(size))
	return b
}
