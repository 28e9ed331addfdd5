package labtest

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// adminPaths are the pages the probe asks a web server for: the usual
// places of a device's management interface. Only GET, never a form.
var adminPaths = []string{
	"/", "/admin", "/admin/", "/login", "/login.html", "/setup", "/setup.html", "/config", "/config.html",
	"/settings", "/settings.html", "/system", "/management", "/cgi-bin/", "/cgi-bin/luci", "/web/", "/api/",
	"/cam/", "/camera", "/device", "/status", "/index.html",
}

// managementWords mark a page that manages the device; two distinct ones
// (and no password field) make an unauthenticated management page.
var managementWords = regexp.MustCompile(`(?i)(factory reset|firmware|reboot|restart device|change password|admin password|wi-?fi|wlan|ssid|network settings|device settings|port forwarding|upgrade|configuration|system settings|user management)`)

var passwordField = regexp.MustCompile(`(?i)<input[^>]+type\s*=\s*["']?password`)

// httpArea is a protected part of a site: one authentication scheme and
// realm, and the first path that asked for it.
type httpArea struct {
	scheme string // "basic" or "digest"
	realm  string
	path   string
	obs    string
}

// checkHTTP looks at a web server's management pages: which ask for
// authentication and how, which are open to anyone, and whether default
// pairs open the protected ones. On plain HTTP, a management interface is
// cleartext and a Basic or form login sends the password in the clear.
func (p *prober) checkHTTP(ctx context.Context, s service) {
	client := p.httpClient(s)
	var (
		areas      []httpArea
		openPages  []string
		openObs    []string
		loginForms []string
		formObs    []string
		redirects  int
		answered   int
	)
	for _, path := range adminPaths {
		if ctx.Err() != nil {
			return
		}
		start := p.cfg.Now()
		resp, body, err := p.httpGet(ctx, client, s, path, "")
		o := Observation{Address: s.Address, Port: s.Port.Port, Service: s.Service, Check: "http.page", Sent: "GET " + path}
		if err != nil {
			o.Result, o.Error = "error", err.Error()
			p.rec.observe(o, start)
			continue
		}
		answered++
		o.Received = describeResponse(resp, body)
		o.Result = strconv.Itoa(resp.StatusCode)
		id := p.rec.observe(o, start)
		switch {
		case resp.StatusCode == http.StatusUnauthorized:
			for _, ch := range resp.Header.Values("Www-Authenticate") {
				scheme, params := parseChallenge(ch)
				if scheme != "basic" && scheme != "digest" {
					continue
				}
				if !slices.ContainsFunc(areas, func(a httpArea) bool { return a.scheme == scheme && a.realm == params["realm"] }) {
					areas = append(areas, httpArea{scheme: scheme, realm: params["realm"], path: path, obs: id})
				}
			}
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			redirects++
		case resp.StatusCode == http.StatusOK:
			if passwordField.Match(body) {
				loginForms = append(loginForms, path)
				formObs = append(formObs, id)
			} else if words := distinctMatches(body); len(words) >= 2 {
				openPages = append(openPages, fmt.Sprintf("%s (%s)", path, strings.Join(words, ", ")))
				openObs = append(openObs, id)
			}
		}
	}
	if answered == 0 {
		return
	}
	if len(openPages) > 0 {
		p.rec.find(Finding{Kind: "unauthenticated-access", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  fmt.Sprintf("management page open without authentication: %s", strings.Join(openPages, "; ")),
			Detail: "the page answered 200 with device-management content and asked for no credentials"}, openObs)
	} else if len(areas) > 0 {
		var names []string
		var ids []string
		for _, a := range areas {
			names = append(names, fmt.Sprintf("%s %s (realm %q)", a.scheme, a.path, a.realm))
			ids = append(ids, a.obs)
		}
		p.rec.find(Finding{Kind: "authentication-required", Verdict: VerdictPass, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title: "management pages ask for authentication: " + strings.Join(names, "; ")}, ids)
	}
	if s.Service == "http" && (len(areas) > 0 || len(loginForms) > 0 || len(openPages) > 0) {
		ids := append(append(append([]string{}, openObs...), formObs...), areaObs(areas)...)
		p.rec.find(Finding{Kind: "cleartext-service", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
			Title:  "management interface over plain HTTP",
			Detail: fmt.Sprintf("%d protected area(s), %d login form(s), %d open management page(s) served without TLS", len(areas), len(loginForms), len(openPages))}, ids)
		var how []string
		var credObs []string
		for _, a := range areas {
			if a.scheme == "basic" {
				how = append(how, "HTTP Basic at "+a.path+" (the password is only base64-encoded)")
				credObs = append(credObs, a.obs)
			}
		}
		for i, path := range loginForms {
			how = append(how, "a password form at "+path)
			credObs = append(credObs, formObs[i])
		}
		if len(how) > 0 {
			p.rec.find(Finding{Kind: "cleartext-credentials", Verdict: VerdictFail, Address: s.Address, Port: s.Port.Port, Service: s.Service,
				Title: "web login sends the password in cleartext", Detail: strings.Join(how, "; ")}, credObs)
		}
	}
	// Default pairs against at most two protected areas (one per scheme
	// first): enough to show a default without hammering the device.
	for i, a := range areas {
		if i >= 2 {
			break
		}
		label := fmt.Sprintf("http %s auth %s", a.scheme, a.path)
		r := p.tryCredentials(ctx, s, label, p.creds.For("http"), func(ctx context.Context, c Credential) attempt {
			return p.httpLogin(ctx, client, s, a, c)
		})
		p.reportCredentials(s, label, r)
	}
}

func areaObs(areas []httpArea) []string {
	var out []string
	for _, a := range areas {
		out = append(out, a.obs)
	}
	return out
}

// httpClient makes one connection per request through the probe's rate
// limit, never follows redirects and accepts any certificate (judged
// separately).
func (p *prober) httpClient(s service) *http.Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return p.dial(ctx, s.Port.Port)
		},
		TLSClientConfig:       p.tlsConfig(nil),
		DisableKeepAlives:     true,
		ResponseHeaderTimeout: p.cfg.ReadTimeout,
		TLSHandshakeTimeout:   p.cfg.ReadTimeout,
		Proxy:                 nil,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       p.cfg.ReadTimeout + p.cfg.ConnectTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// httpGet fetches one path (the body capped at 64 KiB) with an optional
// Authorization header.
func (p *prober) httpGet(ctx context.Context, client *http.Client, s service, path, auth string) (*http.Response, []byte, error) {
	scheme := "http"
	if s.TLS {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(strings.Trim(p.hostHeader(), "[]"), strconv.Itoa(s.Port.Port)), path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", userAgent)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp, body, nil
}

// httpLogin tries one pair against a protected area.
func (p *prober) httpLogin(ctx context.Context, client *http.Client, s service, a httpArea, c Credential) attempt {
	at := attempt{outcome: loginError}
	var auth string
	switch a.scheme {
	case "basic":
		auth = basicAuth(c.Username, c.Password)
		at.sent = fmt.Sprintf("GET %s with Authorization: Basic (%q:%q)", a.path, c.Username, c.Password)
	case "digest":
		// A digest needs a fresh nonce: ask for the page first.
		resp, _, err := p.httpGet(ctx, client, s, a.path, "")
		if err != nil {
			at.err = err
			return at
		}
		if resp.StatusCode != http.StatusUnauthorized {
			at.err = fmt.Errorf("no digest challenge: status %d", resp.StatusCode)
			return at
		}
		var params map[string]string
		for _, ch := range resp.Header.Values("Www-Authenticate") {
			if scheme, pr := parseChallenge(ch); scheme == "digest" && (params == nil || strings.EqualFold(pr["algorithm"], "SHA-256")) {
				params = pr
			}
		}
		if params == nil {
			at.err = fmt.Errorf("no digest challenge")
			return at
		}
		auth, err = digestAuth(params, http.MethodGet, a.path, c.Username, c.Password)
		if err != nil {
			at.err = err
			return at
		}
		at.sent = fmt.Sprintf("GET %s with Authorization: Digest (%q:%q, realm %q, algorithm %s)", a.path, c.Username, c.Password, params["realm"], cmpOr(params["algorithm"], "MD5"))
	}
	resp, body, err := p.httpGet(ctx, client, s, a.path, auth)
	if err != nil {
		at.err = err
		return at
	}
	at.received = describeResponse(resp, body)
	// Without the right pair the area answers 401; any other ordinary
	// answer (the page, a redirect into it, even 404) means the pair got
	// past authentication.
	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		at.outcome = loginRejected
	case code == http.StatusTooManyRequests || code == http.StatusForbidden || code == http.StatusServiceUnavailable:
		at.outcome = loginLockout
	case code >= 200 && code < 500:
		at.outcome = loginAccepted
		if code >= 300 {
			at.detail = fmt.Sprintf("authenticated: status %d %s", code, resp.Header.Get("Location"))
		}
	default:
		at.err = fmt.Errorf("unexpected status %d", code)
	}
	return at
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func basicAuth(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}

// parseChallenge splits a WWW-Authenticate value (RFC 9110 §11.6.1) into
// its lower-cased scheme and parameters.
func parseChallenge(h string) (string, map[string]string) {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimLeft(v, " ")
		if strings.HasPrefix(v, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				}
				b.WriteByte(v[i])
			}
			params[k] = b.String()
			rest = v[min(i+1, len(v)):]
		} else {
			val, after, _ := strings.Cut(v, ",")
			params[k] = strings.TrimSpace(val)
			rest = "," + after
		}
		rest = strings.TrimLeft(rest, ", ")
	}
	return strings.ToLower(scheme), params
}

// digestAuth answers a digest challenge (RFC 7616 §3.4) with qop=auth
// when offered, for MD5, MD5-sess, SHA-256 and SHA-256-sess.
func digestAuth(ch map[string]string, method, uri, user, pass string) (string, error) {
	alg := cmpOr(ch["algorithm"], "MD5")
	var newHash func() hash.Hash
	switch strings.ToUpper(strings.TrimSuffix(strings.ToUpper(alg), "-SESS")) {
	case "MD5":
		newHash = md5.New
	case "SHA-256":
		newHash = sha256.New
	default:
		return "", fmt.Errorf("digest algorithm %q not supported", alg)
	}
	h := func(s string) string {
		x := newHash()
		io.WriteString(x, s)
		return hex.EncodeToString(x.Sum(nil))
	}
	var cb [8]byte
	rand.Read(cb[:])
	cnonce := hex.EncodeToString(cb[:])
	nonce, realm := ch["nonce"], ch["realm"]
	ha1 := h(user + ":" + realm + ":" + pass)
	if strings.HasSuffix(strings.ToUpper(alg), "-SESS") {
		ha1 = h(ha1 + ":" + nonce + ":" + cnonce)
	}
	ha2 := h(method + ":" + uri)
	qop := ""
	for _, q := range strings.Split(ch["qop"], ",") {
		if strings.TrimSpace(q) == "auth" {
			qop = "auth"
		}
	}
	nc := "00000001"
	var resp string
	if qop != "" {
		resp = h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
	} else {
		resp = h(ha1 + ":" + nonce + ":" + ha2)
	}
	out := fmt.Sprintf(`Digest username=%q, realm=%q, nonce=%q, uri=%q, algorithm=%s, response=%q`, user, realm, nonce, uri, alg, resp)
	if qop != "" {
		out += fmt.Sprintf(`, qop=%s, nc=%s, cnonce=%q`, qop, nc, cnonce)
	}
	if op, ok := ch["opaque"]; ok {
		out += fmt.Sprintf(`, opaque=%q`, op)
	}
	return out, nil
}

// describeResponse records a response: status, the headers that matter
// and the start of the body.
func describeResponse(resp *http.Response, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", resp.Proto, resp.Status)
	for _, k := range []string{"Server", "Www-Authenticate", "Location", "Content-Type", "Set-Cookie"} {
		for _, v := range resp.Header.Values(k) {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	if len(body) > 0 {
		b.WriteString("\n")
		b.Write(body[:min(len(body), 300)])
	}
	return b.String()
}

// distinctMatches lists the different management words on a page.
func distinctMatches(body []byte) []string {
	var out []string
	for _, m := range managementWords.FindAll(body, 50) {
		w := strings.ToLower(string(m))
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
