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
	if len(pkt) < 17 {
		return nil
	}
	// QR=0, opcode QUERY, TC=0; exactly one question, nothing else but maybe one OPT.
	if pkt[2]&0xfa != 0 || binary.BigEndian.Uint32(pkt[4:]) != 1<<16 || pkt[8] != 0 || pkt[9] != 0 || pkt[10] != 0 || pkt[11] > 1 {
		return nil
	}
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
	qend := off + 4
	if n == 0 || qend > len(pkt) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(pkt[off:])
	if binary.BigEndian.Uint16(pkt[off+2:]) != dns.ClassINET || qtype == dns.TypeANY || qtype == dns.TypeOPT {
		return nil
	}
	size, edns, do := dns.MinMsgSize, false, false
	if pkt[11] == 1 {
		o := pkt[qend:]
		// root owner, type OPT, ext. rcode 0, version 0, only known-harmless options
		if len(o) < 11 || o[0] != 0 || o[1] != 0 || o[2] != 41 || o[5] != 0 || o[6] != 0 ||
			int(binary.BigEndian.Uint16(o[9:]))+11 != len(o) || !plainOptions(o[11:]) {
			return nil
		}
		edns, do = true, o[7]&0x80 != 0
		size = max(size, int(binary.BigEndian.Uint16(o[3:])))
	} else if qend != len(pkt) {
		return nil
	}
	nd := s.snap.Load().names[string(lower[:n])]
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
	out = append(out[:0], w...)
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
