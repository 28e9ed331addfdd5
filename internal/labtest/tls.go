package labtest

import (
	"context"
	"crypto/dsa" //nolint:staticcheck // only to recognise DSA keys in certificates
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Protocol versions as they appear on the wire.
const (
	sslVersion30  uint16 = 0x0300
	tlsVersion10  uint16 = 0x0301
	tlsVersion11  uint16 = 0x0302
	tlsVersion12  uint16 = 0x0303
	tlsVersion13  uint16 = 0x0304
	maxHelloBytes        = 64 << 10
)

func versionName(v uint16) string {
	switch v {
	case sslVersion30:
		return "SSL 3.0"
	case tlsVersion10:
		return "TLS 1.0"
	case tlsVersion11:
		return "TLS 1.1"
	case tlsVersion12:
		return "TLS 1.2"
	case tlsVersion13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// suite is a cipher suite the probe offers by hand.
type suite struct {
	id   uint16
	name string
}

// weakClass is a family of cipher suites no device should accept (IANA
// TLS Cipher Suites registry names; RFC 7465 for RC4, RFC 8996 context).
type weakClass struct {
	name   string
	suites []suite
}

var weakClasses = []weakClass{
	{"NULL encryption", []suite{{0x0001, "TLS_RSA_WITH_NULL_MD5"}, {0x0002, "TLS_RSA_WITH_NULL_SHA"}, {0x003B, "TLS_RSA_WITH_NULL_SHA256"},
		{0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"}, {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"}}},
	{"export grade", []suite{{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"}, {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"},
		{0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"}, {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"}, {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"}}},
	{"anonymous key exchange", []suite{{0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"}, {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
		{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"}, {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"}, {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
		{0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"}, {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"}, {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"}}},
	{"RC4", []suite{{0x0004, "TLS_RSA_WITH_RC4_128_MD5"}, {0x0005, "TLS_RSA_WITH_RC4_128_SHA"}, {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
		{0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"}}},
	{"DES", []suite{{0x0009, "TLS_RSA_WITH_DES_CBC_SHA"}, {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"}, {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"}}},
	{"3DES (SWEET32)", []suite{{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
		{0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"}, {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"}, {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"}}},
	{"static RSA key exchange (no forward secrecy)", []suite{{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"}, {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
		{0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"}, {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"}, {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
		{0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"}, {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"}, {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
		{0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"}, {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA"}}},
}

// goodSuites are forward-secret suites offered beside the weak ones when
// the probe only wants to learn whether a version is accepted.
var goodSuites = []suite{
	{0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
	{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}, {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"}, {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	{0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"}, {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
	{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
	{0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"}, {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
	{0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}, {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
	{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"}, {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
	{0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"}, {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
}

// allSuites is every suite the probe knows, good ones first.
func allSuites() []suite {
	out := slices.Clone(goodSuites)
	for _, c := range weakClasses {
		out = append(out, c.suites...)
	}
	return out
}

func suiteName(id uint16) string {
	for _, s := range allSuites() {
		if s.id == id {
			return s.name
		}
	}
	return tls.CipherSuiteName(id)
}

// helloSpec is what a hand-made ClientHello offers.
type helloSpec struct {
	version uint16
	suites  []suite
}

// helloResult is what came back to a hand-made ClientHello.
type helloResult struct {
	tls      bool   // the answer was TLS records
	accepted bool   // a ServerHello arrived
	version  uint16 // the version the ServerHello chose
	suite    uint16 // the suite it chose
	alert    int    // the alert description, or -1
	certs    [][]byte
	first    []byte // the first bytes of the answer, for the record
}

func (r helloResult) summary() string {
	switch {
	case r.accepted:
		return fmt.Sprintf("ServerHello: %s, %s", versionName(r.version), suiteName(r.suite))
	case r.alert >= 0:
		return fmt.Sprintf("alert %d (%s)", r.alert, alertName(r.alert))
	case len(r.first) > 0:
		return string(r.first)
	}
	return "no answer"
}

func alertName(d int) string {
	switch d {
	case 40:
		return "handshake_failure"
	case 47:
		return "illegal_parameter"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 112:
		return "unrecognized_name"
	}
	return "alert"
}

// rawHello sends a ClientHello built by hand (so that it can offer
// versions and suites Go's TLS stack refuses to speak) and reads the answer
// up to the end of the server's first flight.
func (p *prober) rawHello(ctx context.Context, port int, spec helloSpec) (helloResult, error) {
	res := helloResult{alert: -1}
	conn, err := p.dial(ctx, port)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	sni := ""
	if !isIP(p.target.Name) {
		sni = p.target.Name
	}
	deadline := time.Now().Add(p.cfg.ReadTimeout)
	conn.SetDeadline(deadline)
	if _, err := conn.Write(clientHello(spec, sni)); err != nil {
		return res, err
	}
	var hs []byte // handshake messages, reassembled across records
	for {
		var hdr [5]byte
		n, err := io.ReadFull(conn, hdr[:])
		if len(res.first) == 0 {
			res.first = append([]byte{}, hdr[:n]...)
		}
		if err != nil {
			if res.accepted || res.tls {
				return res, nil
			}
			if n > 0 || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return res, nil
			}
			return res, err
		}
		typ, major, length := hdr[0], hdr[1], int(binary.BigEndian.Uint16(hdr[3:]))
		if typ < 0x14 || typ > 0x17 || major != 3 || length > 1<<14+2048 {
			rest, _ := readSome(conn, 200*time.Millisecond, 100*time.Millisecond, 256)
			res.first = append(res.first, rest...)
			return res, nil
		}
		res.tls = true
		body := make([]byte, length)
		if _, err := io.ReadFull(conn, body); err != nil {
			return res, nil
		}
		switch typ {
		case 0x15: // alert
			if len(body) >= 2 {
				res.alert = int(body[1])
			}
			return res, nil
		case 0x16: // handshake
			hs = append(hs, body...)
			if done := parseHandshake(hs, &res); done || len(hs) > maxHelloBytes {
				return res, nil
			}
		default:
			return res, nil
		}
	}
}

// parseHandshake reads the server's handshake messages so far; it reports
// done at ServerHelloDone, or once a certificate is in hand.
func parseHandshake(hs []byte, res *helloResult) (done bool) {
	for len(hs) >= 4 {
		typ := hs[0]
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		if len(hs) < 4+n {
			return false
		}
		msg := hs[4 : 4+n]
		hs = hs[4+n:]
		switch typ {
		case 2: // ServerHello
			if len(msg) < 38 {
				return true
			}
			res.accepted = true
			res.version = binary.BigEndian.Uint16(msg)
			sid := int(msg[34])
			if len(msg) < 35+sid+2 {
				return true
			}
			res.suite = binary.BigEndian.Uint16(msg[35+sid:])
		case 11: // Certificate (cleartext before TLS 1.3)
			if len(msg) < 3 {
				return true
			}
			list := msg[3:]
			for len(list) >= 3 {
				cl := int(list[0])<<16 | int(list[1])<<8 | int(list[2])
				if len(list) < 3+cl {
					break
				}
				res.certs = append(res.certs, append([]byte{}, list[3:3+cl]...))
				list = list[3+cl:]
			}
			return true
		case 14: // ServerHelloDone
			return true
		}
	}
	return false
}

// clientHello builds a ClientHello record (RFC 5246 §7.4.1.2) offering one
// version and the given suites. SSL 3.0 hellos carry no extensions.
func clientHello(spec helloSpec, sni string) []byte {
	var body []byte
	body = binary.BigEndian.AppendUint16(body, spec.version)
	random := make([]byte, 32)
	binary.BigEndian.PutUint64(random, uint64(time.Now().UnixNano()))
	body = append(body, random...)
	body = append(body, 0) // no session ID
	var suites []byte
	for _, s := range spec.suites {
		suites = binary.BigEndian.AppendUint16(suites, s.id)
	}
	suites = binary.BigEndian.AppendUint16(suites, 0x00FF) // renegotiation SCSV (RFC 5746)
	body = binary.BigEndian.AppendUint16(body, uint16(len(suites)))
	body = append(body, suites...)
	body = append(body, 1, 0) // compression: null only
	if spec.version > sslVersion30 {
		var ext []byte
		if sni != "" {
			name := []byte(sni)
			var e []byte
			e = binary.BigEndian.AppendUint16(e, uint16(len(name)+3))
			e = append(e, 0)
			e = binary.BigEndian.AppendUint16(e, uint16(len(name)))
			e = append(e, name...)
			ext = appendExt(ext, 0x0000, e)
		}
		// supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048
		ext = appendExt(ext, 0x000a, []byte{0, 10, 0, 0x1d, 0, 0x17, 0, 0x18, 0, 0x19, 1, 0})
		ext = appendExt(ext, 0x000b, []byte{1, 0}) // ec_point_formats: uncompressed
		if spec.version >= tlsVersion12 {
			algs := []uint16{0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0202}
			var a []byte
			a = binary.BigEndian.AppendUint16(a, uint16(2*len(algs)))
			for _, x := range algs {
				a = binary.BigEndian.AppendUint16(a, x)
			}
			ext = appendExt(ext, 0x000d, a)
		}
		body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
		body = append(body, ext...)
	}
	hs := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	recVersion := spec.version
	if recVersion > tlsVersion10 {
		recVersion = tlsVersion10 // the record layer version of a first ClientHello (RFC 8446 §5.1)
	}
	rec := []byte{0x16}
	rec = binary.BigEndian.AppendUint16(rec, recVersion)
	rec = binary.BigEndian.AppendUint16(rec, uint16(len(hs)))
	return append(rec, hs...)
}

func appendExt(b []byte, typ uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// checkTLS checks a TLS service: the versions it accepts, weak suites at
// each legacy version, and its certificate.
func (p *prober) checkTLS(ctx context.Context, s service) {
	port := s.Port.Port
	var legacy []uint16 // accepted versions up to TLS 1.2
	var versionObs []string
	var old []string
	var chain [][]byte
	for _, v := range []uint16{sslVersion30, tlsVersion10, tlsVersion11, tlsVersion12} {
		start := p.cfg.Now()
		res, err := p.rawHello(ctx, port, helloSpec{version: v, suites: allSuites()})
		ok := err == nil && res.accepted && res.version == v
		o := Observation{Address: s.Address, Port: port, Service: s.Service, Check: "tls.version",
			Sent: "ClientHello offering " + versionName(v) + " at most, all known suites", Received: res.summary(),
			Result: resultOf(ok, "accepted", "refused")}
		if err != nil {
			o.Error = err.Error()
		}
		id := p.rec.observe(o, start)
		if ok {
			legacy = append(legacy, v)
			if v < tlsVersion12 {
				old = append(old, versionName(v))
				versionObs = append(versionObs, id)
			}
			if len(res.certs) > 0 {
				chain = res.certs
			}
		}
	}
	// TLS 1.3 through Go's own stack, which also yields the chain when the
	// hand-made hellos could not (TLS 1.3 encrypts certificates).
	start := p.cfg.Now()
	cfg := p.tlsConfig(nil)
	cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	tls13 := false
	if conn, err := p.dial(ctx, port); err == nil {
		tc := tls.Client(conn, cfg)
		hctx, cancel := context.WithTimeout(ctx, p.cfg.ReadTimeout)
		err = tc.HandshakeContext(hctx)
		cancel()
		o := Observation{Address: s.Address, Port: port, Service: s.Service, Check: "tls.version", Sent: "TLS 1.3 handshake"}
		if err == nil {
			tls13 = true
			st := tc.ConnectionState()
			o.Result, o.Received = "accepted", "TLS 1.3, "+tls.CipherSuiteName(st.CipherSuite)
			chain = nil
			for _, c := range st.PeerCertificates {
				chain = append(chain, c.Raw)
			}
		} else {
			o.Result, o.Error = "refused", err.Error()
		}
		tc.Close()
		p.rec.observe(o, start)
	}
	failed := false
	if len(old) > 0 {
		failed = true
		p.rec.find(Finding{Kind: "tls-protocol-version", Verdict: VerdictFail, Address: s.Address, Port: port, Service: s.Service,
			Title:  "accepts " + strings.Join(old, ", "),
			Detail: fmt.Sprintf("the service completed a ServerHello for %s; only TLS 1.2 and 1.3 are current (RFC 8996)", strings.Join(old, ", "))},
			versionObs)
	}
	if p.checkWeakSuites(ctx, s, legacy) {
		failed = true
	}
	if p.checkCertificate(s, chain) {
		failed = true
	}
	if !failed && (tls13 || len(legacy) > 0) && len(chain) > 0 {
		versions := []string{}
		for _, v := range legacy {
			versions = append(versions, versionName(v))
		}
		if tls13 {
			versions = append(versions, "TLS 1.3")
		}
		p.rec.find(Finding{Kind: "encrypted-transport", Verdict: VerdictPass, Address: s.Address, Port: port, Service: s.Service,
			Title:  "TLS " + strings.Join(versions, ", ") + " only, no weak suite, valid certificate",
			Detail: "versions accepted: " + strings.Join(versions, ", ")},
			append(p.rec.idsFor(port, "tls.version"), p.rec.idsFor(port, "tls.certificate")...))
	}
}

// checkWeakSuites offers each weak class alone at each accepted legacy
// version and reports the suites accepted. It returns whether any was.
func (p *prober) checkWeakSuites(ctx context.Context, s service, versions []uint16) bool {
	var accepted, names []string
	var ids []string
	for _, v := range versions {
		for _, class := range weakClasses {
			start := p.cfg.Now()
			res, err := p.rawHello(ctx, s.Port.Port, helloSpec{version: v, suites: class.suites})
			ok := err == nil && res.accepted && res.version == v
			o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "tls.cipher",
				Sent: fmt.Sprintf("ClientHello %s offering only %s suites", versionName(v), class.name), Received: res.summary(),
				Result: resultOf(ok, "accepted", "refused")}
			if err != nil {
				o.Error = err.Error()
			}
			id := p.rec.observe(o, start)
			if ok {
				accepted = append(accepted, fmt.Sprintf("%s (%s, %s)", suiteName(res.suite), class.name, versionName(v)))
				if n := suiteName(res.suite); !slices.Contains(names, n) {
					names = append(names, n)
				}
				ids = append(ids, id)
			}
		}
	}
	if len(accepted) == 0 {
		return false
	}
	p.rec.find(Finding{Kind: "tls-weak-cipher", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
		Title:  "accepts weak cipher suites: " + strings.Join(names, ", "),
		Detail: strings.Join(accepted, "; ")}, ids)
	return true
}

// checkCertificate judges the leaf certificate: self-signed, trusted,
// current, naming the device, with a strong enough key. It returns whether
// any check failed.
func (p *prober) checkCertificate(s service, chain [][]byte) bool {
	port := s.Port.Port
	start := p.cfg.Now()
	if len(chain) == 0 {
		p.rec.observe(Observation{Address: s.Address, Port: port, Service: s.Service, Check: "tls.certificate",
			Result: "error", Error: "no certificate was received"}, start)
		return false
	}
	var certs []*x509.Certificate
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			p.rec.observe(Observation{Address: s.Address, Port: port, Service: s.Service, Check: "tls.certificate",
				Result: "invalid", Error: "certificate does not parse: " + err.Error()}, start)
			return false
		}
		certs = append(certs, c)
	}
	leaf := certs[0]
	now := p.cfg.Now()
	bits, keyDesc := keyStrength(leaf)
	desc := fmt.Sprintf("subject %q, issuer %q, DNS names %v, IP addresses %v, valid %s to %s, key %s, signature %s",
		leaf.Subject.String(), leaf.Issuer.String(), leaf.DNSNames, leaf.IPAddresses,
		leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), keyDesc, leaf.SignatureAlgorithm)
	id := p.rec.observe(Observation{Address: s.Address, Port: port, Service: s.Service, Check: "tls.certificate",
		Received: desc, Result: "received", Detail: fmt.Sprintf("%d certificate(s) in the chain", len(certs))}, start)
	obs := []string{id}
	failed := false
	fail := func(kind, title, detail string) {
		failed = true
		p.rec.find(Finding{Kind: kind, Verdict: VerdictFail, Address: s.Address, Port: port, Service: s.Service, Title: title, Detail: detail}, obs)
	}
	selfSigned := leaf.Subject.String() == leaf.Issuer.String() && leaf.CheckSignatureFrom(leaf) == nil
	inters := x509.NewCertPool()
	for _, c := range certs[1:] {
		inters.AddCert(c)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{Roots: p.cfg.RootCAs, Intermediates: inters, CurrentTime: now})
	var cie x509.CertificateInvalidError
	switch {
	case selfSigned && verr != nil:
		fail("tls-self-signed", "self-signed certificate", desc)
	case verr != nil && !(errors.As(verr, &cie) && cie.Reason == x509.Expired):
		fail("tls-untrusted-certificate", "certificate not trusted", verr.Error())
	}
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		fail("tls-expired-certificate", fmt.Sprintf("certificate valid only %s to %s", leaf.NotBefore.UTC().Format(time.DateOnly), leaf.NotAfter.UTC().Format(time.DateOnly)),
			fmt.Sprintf("checked at %s", now.UTC().Format(time.RFC3339)))
	}
	name := strings.Trim(p.target.Name, "[]")
	if err := leaf.VerifyHostname(name); err != nil {
		fail("tls-hostname-mismatch", fmt.Sprintf("certificate does not name %s", name), err.Error())
	}
	if bits > 0 {
		fail("tls-weak-key", "weak certificate key: "+keyDesc, "RSA keys need at least 2048 bits, ECDSA keys 256")
	}
	return failed
}

// keyStrength describes the leaf's key; weakBits > 0 when it is too weak.
func keyStrength(c *x509.Certificate) (weakBits int, desc string) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		n := k.N.BitLen()
		if n < 2048 {
			return n, fmt.Sprintf("RSA %d bits", n)
		}
		return 0, fmt.Sprintf("RSA %d bits", n)
	case *ecdsa.PublicKey:
		n := k.Curve.Params().BitSize
		if n < 256 {
			return n, fmt.Sprintf("ECDSA %d bits", n)
		}
		return 0, fmt.Sprintf("ECDSA %s", k.Curve.Params().Name)
	case ed25519.PublicKey:
		return 0, "Ed25519"
	case *dsa.PublicKey:
		return k.P.BitLen(), fmt.Sprintf("DSA %d bits", k.P.BitLen())
	}
	return 0, fmt.Sprintf("%T", c.PublicKey)
}
