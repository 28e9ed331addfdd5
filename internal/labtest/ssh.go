package labtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// checkSSH: SSH is encrypted; the probe checks the protocol version the
// banner announces and tries the default pairs with password and
// keyboard-interactive authentication.
func (p *prober) checkSSH(ctx context.Context, s service) {
	ids := p.rec.idsFor(s.Port.Port, "banner")
	if strings.HasPrefix(s.banner, "SSH-1.") {
		// "SSH-1.99" announces both versions (RFC 4253 §5.1); "SSH-1.5" only 1.
		p.rec.find(Finding{Kind: "ssh-protocol-1", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "SSH protocol 1 offered", Detail: "banner " + firstLine(s.banner)}, ids)
	} else {
		p.rec.find(Finding{Kind: "encrypted-transport", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "SSH protocol 2", Detail: "banner " + firstLine(s.banner)}, ids)
	}
	r := p.tryCredentials(ctx, s, "ssh", p.creds.For("ssh"), func(ctx context.Context, c Credential) attempt {
		return p.sshLogin(ctx, s.Port.Port, c)
	})
	p.reportCredentials(s, "ssh", r)
}

// sshLogin authenticates once; on success it closes the connection
// without opening a session.
func (p *prober) sshLogin(ctx context.Context, port int, c Credential) attempt {
	a := attempt{outcome: loginError, sent: fmt.Sprintf("SSH userauth %q, password %q (password and keyboard-interactive)", c.Username, c.Password)}
	conn, err := p.dial(ctx, port)
	if err != nil {
		a.err = err
		return a
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetDeadline(time.Now().Add(p.cfg.ReadTimeout))
	var hostKey string
	cfg := &ssh.ClientConfig{
		User: c.Username,
		Auth: []ssh.AuthMethod{
			ssh.Password(c.Password),
			ssh.KeyboardInteractive(func(name, instruction string, questions []string, echos []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = c.Password
				}
				return answers, nil
			}),
		},
		// The device's host key is recorded, not trusted or refused: the
		// probe authenticates the device by the lab's word, not by key.
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			hostKey = key.Type() + " " + ssh.FingerprintSHA256(key)
			return nil
		},
		ClientVersion: "SSH-2.0-trustmark_probe",
		Timeout:       p.cfg.ReadTimeout,
	}
	sc, chans, reqs, err := ssh.NewClientConn(conn, p.address(port), cfg)
	if err == nil {
		ssh.NewClient(sc, chans, reqs).Close()
		a.outcome, a.received = loginAccepted, "authentication succeeded; host key "+hostKey
		a.detail = "closed without opening a session"
		return a
	}
	a.err = err
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unable to authenticate"):
		a.outcome, a.err, a.received = loginRejected, nil, msg
	case strings.Contains(strings.ToLower(msg), "too many") || strings.Contains(strings.ToLower(msg), "max auth"):
		a.outcome, a.received = loginLockout, msg
	case errors.Is(err, context.Canceled):
	}
	return a
}
