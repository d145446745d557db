package dnsserver

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// The UDP fast path answers the common query — one IN question for a name in the snapshot,
// optionally with a plain EDNS0 OPT — by copying a reply packed when the snapshot was built and
// patching ID, flags and question. It allocates nothing. Anything unusual returns nil and takes
// the general path (miekg/dns unpack, answer, pack), which produces the same answer: the packed
// replies are made by that very path, and a fuzz test compares the two.

// packedNode holds the packed replies of one name: one per record type it has, plus one NODATA
// reply whose question type is overwritten by the query's.
type packedNode struct {
	types  []uint16
	wires  [][]byte
	nodata []byte
}

func (p *packedNode) lookup(qtype uint16) []byte {
	for i, t := range p.types {
		if t == qtype {
			return p.wires[i]
		}
	}
	return p.nodata
}

// pack precomputes the fast-path replies of every name in the snapshot.
func (s *Snapshot) pack() {
names:
	for name, n := range s.names {
		p := &packedNode{}
		for _, t := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeSRV, dns.TypePTR, dns.TypeTXT, dns.TypeSOA, dns.TypeNS} {
			if len(n.records(t)) == 0 {
				continue
			}
			if w := s.packReply(name, t); w != nil {
				p.types = append(p.types, t)
				p.wires = append(p.wires, w)
			} else {
				continue names // cannot pack: leave the whole name to the general path
			}
		}
		// Any type without records gives the same NODATA; TypeNone never has records.
		p.nodata = s.packReply(name, dns.TypeNone)
		if p.nodata == nil {
			continue
		}
		n.packed = p
	}
}

func (s *Snapshot) packReply(name string, qtype uint16) []byte {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.RecursionDesired = false
	m := new(dns.Msg)
	m.SetReply(q)
	s.answer(m, q.Question[0], name)
	m.Compress = true
	w, err := m.Pack()
	if err != nil || len(w) > dns.MaxMsgSize {
		return nil
	}
	return w
}

// optRR is our OPT record as the general path packs it: root owner, type 41, class = UDP size
// 1232, extended rcode 0, version 0, flags (DO patched in), no options.
var optRR = [11]byte{0, 0, 41, ednsSize >> 8, ednsSize & 0xff, 0, 0, 0, 0, 0, 0}

// fastReply appends the reply to pkt to out[:0] and returns it, or returns nil when pkt needs
// the general path. The caller has checked that the source is allowed.
func (s *Server) fastReply(pkt, out []byte) []byte {
	if !plainQuery(pkt) {
		return nil
	}
	// The question name, lower-cased into presentation format with its final dot: the form
	// snapshot names are keyed by. This per-byte loop is the hot part, so it stays here, inline.
	var lower [256]byte
	n, off := 0, 12
	for {
		if off >= len(pkt) {
			return nil
		}
		l := int(pkt[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(pkt) || n+l+1 > 254 {
			return nil // compression pointer, bad length or overlong name
		}
		for _, c := range pkt[off : off+l] {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			case c >= 'A' && c <= 'Z':
				c += 'a' - 'A'
			default:
				return nil // needs escaping in presentation format: not one of our names
			}
			lower[n] = c
			n++
		}
		lower[n] = '.'
		n++
		off += l
	}
	if n == 0 {
		return nil
	}
	return s.fastAnswer(pkt, out, lower[:n], off)
}

// plainQuery reports whether pkt's header is one the fast path may answer: QR=0, opcode
// QUERY, TC=0, exactly one question and nothing else but maybe one OPT. It is split out so
// fastReply stays readable; it is small enough for the compiler to inline.
func plainQuery(pkt []byte) bool {
	return len(pkt) >= 17 && pkt[2]&0xfa == 0 && binary.BigEndian.Uint32(pkt[4:]) == 1<<16 &&
		pkt[8] == 0 && pkt[9] == 0 && pkt[10] == 0 && pkt[11] <= 1
}

// fastAnswer is the rest of fastReply once the question name (lower-cased, in name) ends at
// pkt[off]: it checks the question's type and class and the optional OPT record, and copies
// and patches the packed reply, or returns nil for the general path. Splitting here keeps the
// name loop in fastReply, so the per-byte work is as before and this costs one call per query.
func (s *Server) fastAnswer(pkt, out, name []byte, off int) []byte {
	qend := off + 4
	if qend > len(pkt) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(pkt[off:])
	if binary.BigEndian.Uint16(pkt[off+2:]) != dns.ClassINET || qtype == dns.TypeANY || qtype == dns.TypeOPT {
		return nil
	}
	size, edns, do := dns.MinMsgSize, false, false
	if pkt[11] == 1 {
		var ok bool
		if size, do, ok = plainOPT(pkt[qend:]); !ok {
			return nil
		}
		edns = true
	} else if qend != len(pkt) {
		return nil
	}
	nd := s.snap.Load().names[string(name)]
	if nd == nil || nd.packed == nil {
		return nil
	}
	w := nd.packed.lookup(qtype)
	total := len(w)
	if edns {
		total += len(optRR)
	}
	if total > size {
		return nil // the general path truncates
	}
	return patchReply(append(out[:0], w...), pkt, qend, edns, do)
}

// plainOPT checks the OPT record o that ends the query (root owner, type OPT, extended rcode
// 0, version 0, only known-harmless options: anything else takes the general path) and
// returns the reply size the client allows (never below 512) and its DO bit.
func plainOPT(o []byte) (size int, do, ok bool) {
	if len(o) < 11 || o[0] != 0 || o[1] != 0 || o[2] != 41 || o[5] != 0 || o[6] != 0 ||
		int(binary.BigEndian.Uint16(o[9:]))+11 != len(o) || !plainOptions(o[11:]) {
		return 0, false, false
	}
	return max(dns.MinMsgSize, int(binary.BigEndian.Uint16(o[3:]))), o[7]&0x80 != 0, true
}

// patchReply turns out, a copy of a reply packed with the snapshot, into the reply to pkt:
// the query's ID, RD and CD bits and its question (same name, so same length, but the
// client's letter case, which it may check), plus our OPT record with the client's DO bit
// when the query had one.
func patchReply(out, pkt []byte, qend int, edns, do bool) []byte {
	out[0], out[1] = pkt[0], pkt[1]
	out[2] |= pkt[2] & 0x01 // RD
	out[3] |= pkt[3] & 0x10 // CD
	copy(out[12:qend], pkt[12:qend])
	if edns {
		out = append(out, optRR[:]...)
		if do {
			out[len(out)-4] = 0x80
		}
		binary.BigEndian.PutUint16(out[10:], binary.BigEndian.Uint16(out[10:])+1)
	}
	return out
}

// plainOptions accepts an empty option list or one holding only a well-formed COOKIE (as dig
// sends), which we ignore as RFC 7873 allows; anything else takes the general path.
func plainOptions(b []byte) bool {
	for len(b) > 0 {
		if len(b) < 4 {
			return false
		}
		code, l := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if code != dns.EDNS0COOKIE || l < 8 || l > 40 || len(b) < 4+l {
			return false
		}
		b = b[4+l:]
	}
	return true
}
