package labtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// identifyAll identifies the services on the open ports, a bounded number
// at a time.
func (p *prober) identifyAll(ctx context.Context, open []int) []service {
	out := make([]service, len(open))
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	p.progress(Progress{Stage: "identify", Total: len(open), Open: len(open)})
	for i, port := range open {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = service{Port: Port{Address: p.target.Address, Port: port, Transport: "tcp", Service: "unknown"}}
				return
			}
			defer func() { <-sem }()
			out[i] = p.identify(ctx, port)
			mu.Lock()
			done++
			p.progress(Progress{Stage: "identify", Done: done, Total: len(open), Open: len(open), Message: where(p.target.Address, port, out[i].Service)})
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// mqttPorts are where a silent service is most likely plain MQTT:
// identification tries MQTT first there (elsewhere TLS goes first, since a
// TLS server may answer a plain HTTP request with an HTTP error).
var mqttPorts = []int{1883, 1884}

// identify works out what runs on an open port: first from what the
// service says unprompted (SSH, Telnet, FTP, SMTP, POP3, IMAP and VNC
// speak first), then, for a silent service, from the answer to a TLS
// ClientHello, an HTTP request and an MQTT CONNECT, each on its own
// connection.
func (p *prober) identify(ctx context.Context, port int) service {
	s := service{Port: Port{Address: p.target.Address, Port: port, Transport: "tcp", Service: "unknown"}}
	banner := p.grabBanner(ctx, port)
	s.banner = banner
	if banner != "" {
		s.Service, s.Product = classifyBanner(banner)
		p.rec.observe(Observation{Address: s.Address, Port: port, Service: s.Service, Check: "identify",
			Result: "identified", Detail: "from the banner: " + s.Service}, p.cfg.Now())
		return s
	}
	probes := []func(context.Context, *service) bool{p.identifyTLS, p.identifyHTTP, p.identifyMQTT}
	if slices.Contains(mqttPorts, port) {
		probes = []func(context.Context, *service) bool{p.identifyMQTT, p.identifyTLS, p.identifyHTTP}
	}
	for _, try := range probes {
		if ctx.Err() != nil {
			break
		}
		if try(ctx, &s) {
			return s
		}
	}
	p.rec.observe(Observation{Address: s.Address, Port: port, Service: "unknown", Check: "identify",
		Result: "unidentified", Detail: "silent, and answered none of the TLS, HTTP and MQTT probes"}, p.cfg.Now())
	return s
}

// grabBanner connects and returns what the service sends before being
// spoken to, waiting at most BannerWait.
func (p *prober) grabBanner(ctx context.Context, port int) string {
	start := p.cfg.Now()
	conn, err := p.dial(ctx, port)
	if err != nil {
		p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: "banner",
			Result: "error", Error: err.Error()}, start)
		return ""
	}
	defer conn.Close()
	b, _ := readSome(conn, p.cfg.BannerWait, 300*time.Millisecond, 4096)
	result := "silent"
	if len(b) > 0 {
		result = "received"
	}
	p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: "banner",
		Sent: "(nothing: waited for the service to speak first)", Received: string(b), Result: result}, start)
	return string(b)
}

// readSome reads until total has passed, or quiet has passed since the
// last bytes arrived, or limit bytes arrived, or the peer closed.
func readSome(conn net.Conn, total, quiet time.Duration, limit int) ([]byte, error) {
	deadline := time.Now().Add(total)
	var out []byte
	buf := make([]byte, 2048)
	for len(out) < limit {
		d := deadline
		if q := time.Now().Add(quiet); len(out) > 0 && q.Before(deadline) {
			d = q
		}
		conn.SetReadDeadline(d)
		n, err := conn.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return out, nil
			}
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
	}
	return out[:min(len(out), limit)], nil
}

var (
	telnetPrompt = regexp.MustCompile(`(?i)(login|username|user name|password)\s*:\s*$`)
	smtpBanner   = regexp.MustCompile(`(?i)^220[ -].*(smtp|mail)`)
)

// classifyBanner names the protocol of a service that spoke first, and the
// product it announced.
func classifyBanner(b string) (svc, product string) {
	line := firstLine(b)
	switch {
	case strings.HasPrefix(b, "SSH-"):
		return "ssh", line
	case strings.Contains(b, "\xff\xfb") || strings.Contains(b, "\xff\xfd") || strings.Contains(b, "\xff\xfc") || strings.Contains(b, "\xff\xfe"):
		return "telnet", firstLine(telnetText(b))
	case smtpBanner.MatchString(b):
		return "smtp", line
	case strings.HasPrefix(b, "220"):
		return "ftp", line
	case strings.HasPrefix(b, "+OK"):
		return "pop3", line
	case strings.HasPrefix(b, "* OK"):
		return "imap", line
	case strings.HasPrefix(b, "RFB "):
		return "vnc", line
	case telnetPrompt.MatchString(strings.TrimSpace(b)):
		// A raw login prompt without option negotiation: a telnet-like
		// console.
		return "telnet", line
	}
	return "unknown", line
}

// identifyTLS sends a ClientHello; any TLS record in reply makes the port
// TLS. Then a full handshake finds the protocol inside: HTTP or MQTT.
func (p *prober) identifyTLS(ctx context.Context, s *service) bool {
	start := p.cfg.Now()
	res, err := p.rawHello(ctx, s.Port.Port, helloSpec{version: tlsVersion12, suites: allSuites()})
	if err != nil || !res.tls {
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		p.rec.observe(Observation{Address: s.Address, Port: s.Port.Port, Service: "unknown", Check: "identify",
			Sent: "TLS ClientHello (TLS 1.2)", Received: res.summary(), Result: "not-tls", Error: errText}, start)
		return false
	}
	p.rec.observe(Observation{Address: s.Address, Port: s.Port.Port, Service: "tls", Check: "identify",
		Sent: "TLS ClientHello (TLS 1.2)", Received: res.summary(), Result: "tls"}, start)
	s.TLS, s.Service = true, "tls"
	if svc, product, ok := p.identifyInsideTLS(ctx, s.Port.Port); ok {
		s.Service, s.Product = svc, product
	}
	return true
}

// identifyInsideTLS tries HTTP, then MQTT, inside a TLS session.
func (p *prober) identifyInsideTLS(ctx context.Context, port int) (svc, product string, ok bool) {
	tryOne := func(payload []byte, what string) ([]byte, error) {
		start := p.cfg.Now()
		conn, err := p.dialTLS(ctx, port, nil)
		if err != nil {
			p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "tls", Check: "identify",
				Sent: "TLS handshake, then " + what, Result: "error", Error: err.Error()}, start)
			return nil, err
		}
		defer conn.Close()
		conn.SetWriteDeadline(time.Now().Add(p.cfg.ReadTimeout))
		if _, err := conn.Write(payload); err != nil {
			return nil, err
		}
		b, err := readSome(conn, p.cfg.ReadTimeout, 300*time.Millisecond, 4096)
		p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "tls", Check: "identify",
			Sent: "TLS handshake, then " + what, Received: string(b), Result: resultOf(len(b) > 0, "answered", "silent")}, start)
		return b, err
	}
	if b, _ := tryOne(p.httpProbe(), "HTTP GET /"); bytes.HasPrefix(b, []byte("HTTP/")) {
		return "https", headerValue(string(b), "Server"), true
	}
	if b, _ := tryOne(mqttConnectPacket("trustmark-probe-id", nil, nil), "MQTT CONNECT"); isConnack(b) {
		return "mqtt-tls", "", true
	}
	return "", "", false
}

// identifyHTTP sends a plain HTTP request.
func (p *prober) identifyHTTP(ctx context.Context, s *service) bool {
	b := p.exchange(ctx, s.Port.Port, "identify", p.httpProbe(), "HTTP GET /")
	switch {
	case bytes.HasPrefix(b, []byte("HTTP/")):
		s.Service, s.Product = "http", headerValue(string(b), "Server")
	case bytes.HasPrefix(b, []byte("RTSP/")):
		s.Service, s.Product = "rtsp", headerValue(string(b), "Server")
	default:
		return false
	}
	return true
}

// identifyMQTT sends an MQTT 3.1.1 CONNECT without credentials.
func (p *prober) identifyMQTT(ctx context.Context, s *service) bool {
	b := p.exchange(ctx, s.Port.Port, "identify", mqttConnectPacket("trustmark-probe-id", nil, nil), "MQTT CONNECT (no credentials)")
	if !isConnack(b) {
		return false
	}
	s.Service = "mqtt"
	return true
}

// exchange sends one payload on a new plain connection and returns the
// answer, recording both.
func (p *prober) exchange(ctx context.Context, port int, check string, payload []byte, what string) []byte {
	start := p.cfg.Now()
	conn, err := p.dial(ctx, port)
	if err != nil {
		p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: check,
			Sent: what, Result: "error", Error: err.Error()}, start)
		return nil
	}
	defer conn.Close()
	conn.SetWriteDeadline(time.Now().Add(p.cfg.ReadTimeout))
	if _, err := conn.Write(payload); err != nil {
		p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: check,
			Sent: what, Result: "error", Error: err.Error()}, start)
		return nil
	}
	b, err := readSome(conn, p.cfg.ReadTimeout, 300*time.Millisecond, 4096)
	o := Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: check, Sent: what,
		Received: string(b), Result: resultOf(len(b) > 0, "answered", "silent")}
	if err != nil {
		o.Error = err.Error()
	}
	p.rec.observe(o, start)
	return b
}

// httpProbe is the identification request: a plain GET of the root.
func (p *prober) httpProbe() []byte {
	return fmt.Appendf(nil, "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n\r\n", p.hostHeader(), userAgent)
}

// userAgent identifies the probe to web servers and in device logs.
const userAgent = "trustmark-probe/1 (lab conformity test)"

// hostHeader is the Host the probe sends: the name the lab gave.
func (p *prober) hostHeader() string {
	if strings.Contains(p.target.Name, ":") && !strings.HasPrefix(p.target.Name, "[") {
		return "[" + p.target.Name + "]"
	}
	return p.target.Name
}

// dialTLS opens a TLS connection that accepts any certificate (the
// certificate is judged separately) and any version and suite Go speaks.
func (p *prober) dialTLS(ctx context.Context, port int, nextProtos []string) (*tls.Conn, error) {
	conn, err := p.dial(ctx, port)
	if err != nil {
		return nil, err
	}
	tc := tls.Client(conn, p.tlsConfig(nextProtos))
	hctx, cancel := context.WithTimeout(ctx, p.cfg.ReadTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// tlsConfig is the permissive client configuration of the probe's own
// sessions: it must reach the service to test it, whatever its TLS.
func (p *prober) tlsConfig(nextProtos []string) *tls.Config {
	suites := []uint16{}
	for _, s := range tls.CipherSuites() {
		suites = append(suites, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		suites = append(suites, s.ID)
	}
	cfg := &tls.Config{
		InsecureSkipVerify: true, // the certificate is checked by checkTLS, not here
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       suites,
		NextProtos:         nextProtos,
	}
	if !isIP(p.target.Name) {
		cfg.ServerName = p.target.Name
	}
	return cfg
}

func isIP(s string) bool {
	return net.ParseIP(strings.Trim(s, "[]")) != nil
}

// headerValue returns an HTTP header's value from a raw response.
func headerValue(resp, name string) string {
	head, _, _ := strings.Cut(resp, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n")[1:] {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func resultOf(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}
