package labtest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// udpProbe is one UDP discovery query, sent to the target alone (never to
// a multicast group: the probe talks only to the device it was named).
type udpProbe struct {
	service string
	port    int
	what    string
	payload func() []byte
	// parse recognises an answer and extracts what it announces.
	parse func([]byte) (product string, ok bool)
}

var udpProbes = []udpProbe{
	{service: "ssdp", port: 1900, what: `SSDP M-SEARCH ST: ssdp:all (unicast)`, payload: ssdpSearch, parse: parseSSDP},
	{service: "coap", port: 5683, what: "CoAP GET /.well-known/core (confirmable)", payload: coapWellKnown, parse: parseCoAP},
	{service: "mdns", port: 5353, what: "mDNS PTR _services._dns-sd._udp.local (unicast)", payload: mdnsQuery, parse: parseMDNS},
}

// discoverUDP asks the device's SSDP/UPnP, CoAP and mDNS ports whether
// they answer, each query sent up to three times.
func (p *prober) discoverUDP(ctx context.Context) []Port {
	var mu sync.Mutex
	var out []Port
	var wg sync.WaitGroup
	for _, q := range udpProbes {
		wg.Go(func() {
			if port, ok := p.udpQuery(ctx, q); ok {
				mu.Lock()
				out = append(out, port)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// A stable order for the report.
	var sorted []Port
	for _, q := range udpProbes {
		for _, pt := range out {
			if pt.Port == q.port {
				sorted = append(sorted, pt)
			}
		}
	}
	return sorted
}

func (p *prober) udpQuery(ctx context.Context, q udpProbe) (Port, bool) {
	start := p.cfg.Now()
	o := Observation{Address: p.target.Address, Port: q.port, Transport: "udp", Service: q.service, Check: "udp.discovery", Sent: q.what}
	if err := p.limiter.Wait(ctx); err != nil {
		return Port{}, false
	}
	conn, err := net.Dial("udp", net.JoinHostPort(p.target.Address, strconv.Itoa(q.port)))
	if err != nil {
		o.Result, o.Error = "error", err.Error()
		p.rec.observe(o, start)
		return Port{}, false
	}
	defer conn.Close()
	buf := make([]byte, 9000)
	wait := min(p.cfg.BannerWait, time.Second)
	for try := 0; try < 3 && ctx.Err() == nil; try++ {
		conn.Write(q.payload())
		conn.SetReadDeadline(time.Now().Add(wait))
		n, err := conn.Read(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			// ICMP port unreachable: nothing listens there.
			o.Result, o.Error = "closed", err.Error()
			p.rec.observe(o, start)
			return Port{}, false
		}
		product, ok := q.parse(buf[:n])
		o.Received = string(buf[:min(n, 600)])
		if !ok {
			o.Result = "unrecognised"
			p.rec.observe(o, start)
			return Port{}, false
		}
		o.Result, o.Detail = "answered", product
		p.rec.observe(o, start)
		return Port{Address: p.target.Address, Port: q.port, Transport: "udp", Service: q.service, Product: product}, true
	}
	o.Result = "silent"
	p.rec.observe(o, start)
	return Port{}, false
}

func ssdpSearch() []byte {
	return []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\nUSER-AGENT: " + userAgent + "\r\n\r\n")
}

func parseSSDP(b []byte) (string, bool) {
	s := string(b)
	if !strings.HasPrefix(s, "HTTP/1.1 200") && !strings.HasPrefix(s, "NOTIFY") {
		return "", false
	}
	var parts []string
	for _, h := range []string{"SERVER", "LOCATION", "ST"} {
		if v := headerValue(s, h); v != "" {
			parts = append(parts, h+": "+v)
		}
	}
	return strings.Join(parts, "; "), true
}

// coapWellKnown is a confirmable GET of /.well-known/core (RFC 7252 §3,
// RFC 6690 resource discovery).
func coapWellKnown() []byte {
	var id [2]byte
	rand.Read(id[:])
	b := []byte{0x40, 0x01, id[0], id[1]}
	b = append(b, 0xBB) // option 11 (Uri-Path), length 11
	b = append(b, ".well-known"...)
	b = append(b, 0x04) // option delta 0 (Uri-Path again), length 4
	b = append(b, "core"...)
	return b
}

func parseCoAP(b []byte) (string, bool) {
	if len(b) < 4 || b[0]>>6 != 1 {
		return "", false
	}
	code := b[1]
	desc := fmt.Sprintf("response code %d.%02d", code>>5, code&0x1f)
	if i := indexByte(b[4:], 0xFF); i >= 0 {
		payload := b[4+i+1:]
		desc += ": " + string(payload[:min(len(payload), 200)])
	}
	return desc, true
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// mdnsQuery asks for the service types the device announces (RFC 6763
// §9), as a unicast query to port 5353 (RFC 6762 §5.5).
func mdnsQuery() []byte {
	var id [2]byte
	rand.Read(id[:])
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: binary.BigEndian.Uint16(id[:])})
	b.StartQuestions()
	b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName("_services._dns-sd._udp.local."), Type: dnsmessage.TypePTR, Class: dnsmessage.ClassINET})
	out, _ := b.Finish()
	return out
}

func parseMDNS(b []byte) (string, bool) {
	var m dnsmessage.Message
	if err := m.Unpack(b); err != nil || !m.Header.Response {
		return "", false
	}
	var names []string
	for _, a := range append(m.Answers, m.Additionals...) {
		if ptr, ok := a.Body.(*dnsmessage.PTRResource); ok {
			names = append(names, ptr.PTR.String())
		}
	}
	return "services: " + strings.Join(names, ", "), true
}
