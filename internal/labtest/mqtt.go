package labtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// mqttConnectPacket is an MQTT 3.1.1 CONNECT (§3.1) with a clean session,
// for identification; user and pass are optional.
func mqttConnectPacket(clientID string, user, pass *string) []byte {
	str := func(b []byte, s string) []byte {
		b = append(b, byte(len(s)>>8), byte(len(s)))
		return append(b, s...)
	}
	var vh []byte
	vh = str(vh, "MQTT")
	flags := byte(0x02)
	if user != nil {
		flags |= 0x80
	}
	if pass != nil {
		flags |= 0x40
	}
	vh = append(vh, 4, flags, 0, 30)
	vh = str(vh, clientID)
	if user != nil {
		vh = str(vh, *user)
	}
	if pass != nil {
		vh = str(vh, *pass)
	}
	out := []byte{0x10}
	n := len(vh)
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			break
		}
	}
	return append(out, vh...)
}

// isConnack reports whether b starts with an MQTT CONNACK.
func isConnack(b []byte) bool {
	return len(b) >= 4 && b[0] == 0x20 && b[1] == 0x02
}

// checkMQTT: a broker without TLS is cleartext; a broker that accepts a
// client without credentials is open, and one that then grants a
// subscription to "#" discloses every message; otherwise the default pairs
// are tried. The probe publishes nothing.
func (p *prober) checkMQTT(ctx context.Context, s service) {
	ids := p.rec.idsFor(s.Port.Port, "identify")
	if !s.TLS {
		p.rec.find(Finding{Kind: "cleartext-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "MQTT without TLS", Detail: fmt.Sprintf("the broker on port %d speaks MQTT in cleartext", s.Port.Port)}, ids)
	}
	start := p.cfg.Now()
	client, a := p.mqttConnect(ctx, s, nil)
	o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "mqtt.anonymous", Sent: a.sent,
		Received: a.received, Result: a.outcome, Username: ptr(""), Password: ptr("")}
	if a.err != nil {
		o.Error = a.err.Error()
	}
	anonID := p.rec.observe(o, start)
	switch a.outcome {
	case loginAccepted:
		p.rec.find(Finding{Kind: "unauthenticated-access", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "MQTT broker accepts clients without credentials", Detail: "CONNECT without username and password was accepted (return code 0)",
			Username: ptr(""), Password: ptr("")}, []string{anonID})
		p.mqttSubscribeAll(ctx, s, client, anonID)
		client.Disconnect(100)
		return
	case loginRejected:
		p.rec.find(Finding{Kind: "authentication-required", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "MQTT broker refuses clients without credentials", Detail: a.received}, []string{anonID})
		if !s.TLS {
			p.rec.find(Finding{Kind: "cleartext-credentials", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
				Title: "MQTT passwords travel in cleartext", Detail: "the broker asks for a username and password in CONNECT, over a connection without TLS"},
				[]string{anonID})
		}
	default:
		return
	}
	r := p.tryCredentials(ctx, s, "mqtt", p.creds.For("mqtt"), func(ctx context.Context, c Credential) attempt {
		client, a := p.mqttConnect(ctx, s, &c)
		if client != nil {
			client.Disconnect(50)
		}
		return a
	})
	p.reportCredentials(s, "mqtt", r)
}

// mqttConnect connects with paho, with a pair or without one (nil), on a
// connection from the probe's rate-limited dialer. The connected client is
// returned on success.
func (p *prober) mqttConnect(ctx context.Context, s service, c *Credential) (mqtt.Client, attempt) {
	var rb [6]byte
	rand.Read(rb[:])
	id := "trustmark-probe-" + hex.EncodeToString(rb[:])
	a := attempt{outcome: loginError, sent: fmt.Sprintf("MQTT 3.1.1 CONNECT client %q without credentials", id)}
	scheme := "tcp"
	if s.TLS {
		scheme = "ssl"
	}
	opts := mqtt.NewClientOptions().
		AddBroker(scheme + "://" + p.address(s.Port.Port)).
		SetClientID(id).
		SetCleanSession(true).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetProtocolVersion(4).
		SetConnectTimeout(p.cfg.ReadTimeout).
		SetKeepAlive(30 * time.Second).
		SetCustomOpenConnectionFn(func(*url.URL, mqtt.ClientOptions) (net.Conn, error) {
			if s.TLS {
				return p.dialTLS(ctx, s.Port.Port, nil)
			}
			return p.dial(ctx, s.Port.Port)
		})
	if c != nil {
		opts.SetUsername(c.Username).SetPassword(c.Password)
		a.sent = fmt.Sprintf("MQTT 3.1.1 CONNECT client %q, username %q, password %q", id, c.Username, c.Password)
	}
	client := mqtt.NewClient(opts)
	tok := client.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		a.err = ctx.Err()
		return nil, a
	case <-time.After(p.cfg.ReadTimeout + p.cfg.ConnectTimeout):
		a.err = errors.New("no CONNACK in time")
		return nil, a
	}
	code := tok.(*mqtt.ConnectToken).ReturnCode()
	a.received = fmt.Sprintf("CONNACK return code %d", code)
	switch {
	case tok.Error() == nil:
		a.outcome = loginAccepted
		return client, a
	case code == 4 || code == 5:
		a.outcome, a.received = loginRejected, a.received+" ("+tok.Error().Error()+")"
	case code == 3:
		a.outcome, a.received = loginLockout, a.received+" (server unavailable)"
	default:
		a.err = tok.Error()
	}
	return nil, a
}

// mqttSubscribeAll asks for every topic and listens briefly. Topic names
// are recorded, payloads only by size.
func (p *prober) mqttSubscribeAll(ctx context.Context, s service, client mqtt.Client, connObs string) {
	start := p.cfg.Now()
	var mu sync.Mutex
	var topics []string
	count := 0
	tok := client.Subscribe("#", 0, func(_ mqtt.Client, m mqtt.Message) {
		mu.Lock()
		defer mu.Unlock()
		count++
		if len(topics) < 10 && !slices.Contains(topics, m.Topic()) {
			topics = append(topics, m.Topic())
		}
	})
	o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "mqtt.subscribe", Sent: `SUBSCRIBE "#" QoS 0 (no credentials)`}
	if !tok.WaitTimeout(p.cfg.ReadTimeout) {
		o.Result, o.Error = "error", "no SUBACK in time"
		p.rec.observe(o, start)
		return
	}
	if err := tok.Error(); err != nil {
		o.Result, o.Error = "error", err.Error()
		p.rec.observe(o, start)
		return
	}
	granted := tok.(*mqtt.SubscribeToken).Result()["#"]
	if granted == 0x80 {
		o.Result, o.Received = "refused", "SUBACK return code 0x80 (failure)"
		p.rec.observe(o, start)
		return
	}
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	mu.Lock()
	o.Result = "granted"
	o.Received = fmt.Sprintf("SUBACK granted QoS %d; %d message(s) in 1 s on topics %s", granted, count, strings.Join(topics, ", "))
	mu.Unlock()
	id := p.rec.observe(o, start)
	p.rec.find(Finding{Kind: "mqtt-subscribe-all", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
		Title: `anonymous subscription to "#" granted`, Detail: o.Received, Username: ptr(""), Password: ptr("")}, []string{connObs, id})
}
