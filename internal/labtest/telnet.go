package labtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// Telnet (RFC 854) by hand: the probe refuses every option the server asks
// for or offers (RFC 855 negotiation: DO → WONT, WILL → DONT), reads text,
// and matches prompts the way login programs print them.

const (
	iac  = 255
	dont = 254
	do   = 253
	wont = 252
	will = 251
	sb   = 250
	se   = 240
)

var (
	loginPromptRE    = regexp.MustCompile(`(?i)(login|username|user name|user)\s*:\s*$`)
	passwordPromptRE = regexp.MustCompile(`(?i)password\s*:\s*$`)
	loginFailedRE    = regexp.MustCompile(`(?i)(incorrect|failed|invalid|denied|bad password|wrong|not allowed)`)
	lockedRE         = regexp.MustCompile(`(?i)(too many|locked|try again later|blocked|temporarily)`)
	shellPromptRE    = regexp.MustCompile(`[#$>%]\s*$`)
)

// telnetStream separates text from commands and collects refusals.
type telnetStream struct {
	text  bytes.Buffer // everything read so far, without commands
	reply []byte       // refusals to send
}

// consume strips commands from data into text and queues refusals.
func (t *telnetStream) consume(data []byte) {
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c != iac || i+1 >= len(data) {
			if c != 0 {
				t.text.WriteByte(c)
			}
			continue
		}
		cmd := data[i+1]
		switch {
		case (cmd == do || cmd == dont || cmd == will || cmd == wont) && i+2 < len(data):
			opt := data[i+2]
			if cmd == do {
				t.reply = append(t.reply, iac, wont, opt)
			} else if cmd == will {
				t.reply = append(t.reply, iac, dont, opt)
			}
			i += 2
		case cmd == sb:
			end := bytes.Index(data[i:], []byte{iac, se})
			if end < 0 {
				i = len(data)
			} else {
				i += end + 1
			}
		case cmd == iac:
			t.text.WriteByte(iac)
			i++
		default:
			i++
		}
	}
}

// telnetText strips telnet commands from a banner, for display.
func telnetText(b string) string {
	var t telnetStream
	t.consume([]byte(b))
	return t.text.String()
}

// telnetConn is a telnet session: a connection and its stream.
type telnetConn struct {
	conn net.Conn
	telnetStream
}

// readUntil reads until match holds for the text so far, the deadline
// passes or the server closes, answering negotiation as it goes. It
// returns whether match held.
func (t *telnetConn) readUntil(deadline time.Time, match func(string) bool) bool {
	buf := make([]byte, 1024)
	for {
		if match(t.text.String()) {
			return true
		}
		t.conn.SetReadDeadline(deadline)
		n, err := t.conn.Read(buf)
		if n > 0 {
			t.consume(buf[:n])
			if len(t.reply) > 0 {
				t.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
				t.conn.Write(t.reply)
				t.reply = t.reply[:0]
			}
		}
		if err != nil {
			return match(t.text.String())
		}
	}
}

func (t *telnetConn) send(s string) error {
	t.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	_, err := t.conn.Write([]byte(s + "\r\n"))
	return err
}

// since returns the text read after offset.
func (t *telnetConn) since(offset int) string {
	s := t.text.String()
	if offset > len(s) {
		return ""
	}
	return s[offset:]
}

// checkTelnet: Telnet is cleartext by design, and a login over it sends
// the password in the clear; then the default pairs are tried.
func (p *prober) checkTelnet(ctx context.Context, s service) {
	ids := p.rec.idsFor(s.Port.Port, "banner")
	p.rec.find(Finding{Kind: "cleartext-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
		Title: "Telnet (unencrypted remote console)", Detail: "banner: " + firstLine(telnetText(s.banner))}, ids)
	if loginPromptRE.MatchString(strings.TrimSpace(telnetText(s.banner))) || passwordPromptRE.MatchString(strings.TrimSpace(telnetText(s.banner))) {
		p.rec.find(Finding{Kind: "cleartext-credentials", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "Telnet login sends the password in cleartext", Detail: "the service prompts for a login over an unencrypted connection"}, ids)
	}
	r := p.tryCredentials(ctx, s, "telnet", p.creds.For("telnet"), func(ctx context.Context, c Credential) attempt {
		return p.telnetLogin(ctx, s.Port.Port, c)
	})
	p.reportCredentials(s, "telnet", r)
}

// telnetLogin logs in once and closes the session as soon as it knows the
// outcome: it sends no command to a shell it reaches.
func (p *prober) telnetLogin(ctx context.Context, port int, c Credential) attempt {
	a := attempt{outcome: loginError}
	conn, err := p.dial(ctx, port)
	if err != nil {
		a.err = err
		return a
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	t := &telnetConn{conn: conn}
	deadline := time.Now().Add(p.cfg.ReadTimeout)
	var sent []string
	trimmed := func(s string) string { return strings.TrimRight(s, " \t\r\n\x00") }
	if !t.readUntil(deadline, func(s string) bool {
		s = trimmed(s)
		return loginPromptRE.MatchString(s) || passwordPromptRE.MatchString(s)
	}) {
		a.received, a.err = t.text.String(), fmt.Errorf("no login prompt within %s", p.cfg.ReadTimeout)
		return a
	}
	if loginPromptRE.MatchString(trimmed(t.text.String())) {
		if err := t.send(c.Username); err != nil {
			a.err = err
			return a
		}
		sent = append(sent, c.Username)
		mark := t.text.Len()
		if !t.readUntil(time.Now().Add(p.cfg.ReadTimeout), func(string) bool {
			after := trimmed(t.since(mark))
			return passwordPromptRE.MatchString(after) || shellPromptRE.MatchString(after) || loginFailedRE.MatchString(after)
		}) {
			a.received, a.err = t.text.String(), fmt.Errorf("no password prompt within %s", p.cfg.ReadTimeout)
			a.sent = strings.Join(sent, "\n")
			return a
		}
	}
	mark := t.text.Len()
	if passwordPromptRE.MatchString(trimmed(t.text.String())) {
		if err := t.send(c.Password); err != nil {
			a.err = err
			return a
		}
		sent = append(sent, c.Password)
	}
	a.sent = strings.Join(sent, "\n")
	// The outcome: a shell prompt (accepted), a new login prompt or a
	// complaint (rejected), or words of lockout. Login programs delay a
	// failure by a few seconds before saying so; a message of the day may
	// mention failed logins before the shell prompt, so a prompt at the
	// end decides before any wording does.
	t.readUntil(time.Now().Add(p.cfg.ReadTimeout), func(string) bool {
		after := trimmed(t.since(mark))
		return lockedRE.MatchString(after) || loginPromptRE.MatchString(after) || passwordPromptRE.MatchString(after) ||
			shellPromptRE.MatchString(after)
	})
	after := trimmed(t.since(mark))
	a.received = t.text.String()
	switch {
	case lockedRE.MatchString(after):
		a.outcome = loginLockout
	case loginPromptRE.MatchString(after) || passwordPromptRE.MatchString(after):
		a.outcome = loginRejected
	case shellPromptRE.MatchString(after):
		a.outcome, a.detail = loginAccepted, "a shell prompt followed the password; the session was closed without a command"
	case loginFailedRE.MatchString(after):
		a.outcome = loginRejected
	default:
		a.err = fmt.Errorf("no recognisable answer to the password within %s", p.cfg.ReadTimeout)
	}
	return a
}
