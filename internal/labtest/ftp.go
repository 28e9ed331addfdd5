package labtest

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"
)

// checkFTP: FTP sends everything, the password included, in cleartext
// (RFC 959); the probe checks anonymous access (RFC 1635) and then the
// default pairs. It only logs in and quits: it lists and transfers nothing.
func (p *prober) checkFTP(ctx context.Context, s service) {
	ids := p.rec.idsFor(s.Port.Port, "banner")
	p.rec.find(Finding{Kind: "cleartext-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
		Title: "FTP (unencrypted file transfer)", Detail: "banner: " + firstLine(s.banner)}, ids)
	p.rec.find(Finding{Kind: "cleartext-credentials", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
		Title: "FTP login sends the password in cleartext", Detail: "USER and PASS travel unencrypted"}, ids)

	start := p.cfg.Now()
	anon := Credential{Username: "anonymous", Password: "probe@trustmark.invalid"}
	a := p.ftpLogin(ctx, s.Port.Port, anon)
	o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "ftp.anonymous", Sent: a.sent,
		Received: a.received, Result: a.outcome, Username: ptr(anon.Username), Password: ptr(anon.Password)}
	if a.err != nil {
		o.Error = a.err.Error()
	}
	id := p.rec.observe(o, start)
	switch a.outcome {
	case loginAccepted:
		p.rec.find(Finding{Kind: "unauthenticated-access", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:    "anonymous FTP login accepted",
			Detail:   fmt.Sprintf("user %q with password %q logged in (RFC 1635 anonymous FTP)", anon.Username, anon.Password),
			Username: ptr(anon.Username), Password: ptr(anon.Password)}, []string{id})
	case loginRejected:
		p.rec.find(Finding{Kind: "authentication-required", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "anonymous FTP login refused"}, []string{id})
	}

	var creds []Credential
	for _, c := range p.creds.For("ftp") {
		if !strings.EqualFold(c.Username, "anonymous") && !strings.EqualFold(c.Username, "ftp") {
			creds = append(creds, c)
		}
	}
	r := p.tryCredentials(ctx, s, "ftp", creds, func(ctx context.Context, c Credential) attempt {
		return p.ftpLogin(ctx, s.Port.Port, c)
	})
	p.reportCredentials(s, "ftp", r)
}

// ftpLogin sends USER and PASS on a fresh connection and QUITs.
func (p *prober) ftpLogin(ctx context.Context, port int, c Credential) attempt {
	a := attempt{outcome: loginError}
	conn, err := p.dial(ctx, port)
	if err != nil {
		a.err = err
		return a
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetDeadline(time.Now().Add(p.cfg.ReadTimeout))
	rd := bufio.NewReader(conn)
	var got []string
	reply := func() (int, error) {
		code, text, err := ftpReply(rd)
		if text != "" {
			got = append(got, text)
		}
		a.received = strings.Join(got, "\n")
		return code, err
	}
	var sent []string
	cmd := func(s string) error {
		sent = append(sent, s)
		a.sent = strings.Join(sent, "\n")
		_, err := fmt.Fprintf(conn, "%s\r\n", s)
		return err
	}
	code, err := reply()
	if err != nil || code != 220 {
		a.err = fmt.Errorf("greeting %d: %v", code, err)
		if code == 421 {
			a.outcome = loginLockout
		}
		return a
	}
	if err := cmd("USER " + c.Username); err != nil {
		a.err = err
		return a
	}
	code, err = reply()
	if err == nil && code == 331 {
		if err := cmd("PASS " + c.Password); err != nil {
			a.err = err
			return a
		}
		code, err = reply()
	}
	switch {
	case err != nil:
		a.err = err
	case code == 230:
		a.outcome = loginAccepted
	case code == 530 || code == 331 || code == 332:
		a.outcome = loginRejected
	case code == 421:
		a.outcome = loginLockout
	default:
		a.err = fmt.Errorf("unexpected reply %d", code)
	}
	cmd("QUIT")
	return a
}

// ftpReply reads one reply, multi-line replies included (RFC 959 §4.2).
func ftpReply(rd *bufio.Reader) (int, string, error) {
	var lines []string
	first, err := rd.ReadString('\n')
	if err != nil {
		return 0, first, err
	}
	lines = append(lines, strings.TrimRight(first, "\r\n"))
	var code int
	if _, err := fmt.Sscanf(first, "%3d", &code); err != nil {
		return 0, first, fmt.Errorf("not an FTP reply: %q", firstLine(first))
	}
	if len(first) > 3 && first[3] == '-' {
		end := first[:3] + " "
		for i := 0; i < 100; i++ {
			line, err := rd.ReadString('\n')
			lines = append(lines, strings.TrimRight(line, "\r\n"))
			if err != nil {
				return code, strings.Join(lines, "\n"), err
			}
			if strings.HasPrefix(line, end) {
				break
			}
		}
	}
	return code, strings.Join(lines, "\n"), nil
}
