package labtest

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Schema names the report format; a change that breaks readers bumps it.
const Schema = "trustmark-probe/1"

// Verdicts of a finding.
const (
	// VerdictFail: the device shows the weakness the finding names.
	VerdictFail = "fail"
	// VerdictPass: the check ran and the device behaved as the requirement
	// asks (within what a network probe can see).
	VerdictPass = "pass"
)

// Report is everything one probe run saw and concluded. Observations are
// the raw record; Findings are conclusions that cite observations; Coverage
// pre-fills results per requirement from the findings.
type Report struct {
	Schema     string    `json:"schema"`
	Tool       string    `json:"tool"`
	Target     Target    `json:"target"`
	Profile    Profile   `json:"profile"`
	PortSpec   string    `json:"port_spec"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Settings records the limits the run kept to.
	Settings Settings `json:"settings"`
	// Credentials describes the list of pairs tried.
	Credentials CredentialListInfo `json:"credentials"`
	// PortsScanned is how many TCP ports discovery tried; Ports lists the
	// open ones (and answering UDP services) with what runs there.
	PortsScanned int        `json:"ports_scanned"`
	Ports        []Port     `json:"ports"`
	Findings     []Finding  `json:"findings"`
	Coverage     []Coverage `json:"coverage"`
	// Observations are the raw record, in the order they were made.
	Observations []Observation `json:"observations"`
	// Interrupted is set when the run was cancelled before it finished:
	// the report holds what was seen until then.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Target is the device under test as the lab named it and as it resolved.
type Target struct {
	// Name is what the lab gave: an address or a host name.
	Name string `json:"name"`
	// Address is the one address probed.
	Address string `json:"address"`
	// Scope says why the address may be probed: loopback, private,
	// link-local, benchmarking, or public (only with AllowPublic).
	Scope string `json:"scope"`
}

// Settings are the limits a run kept to, recorded for reproducibility.
type Settings struct {
	Rate                  float64 `json:"rate_per_second"`
	Concurrency           int     `json:"concurrency"`
	CredentialConcurrency int     `json:"credential_concurrency"`
	ConnectTimeoutMS      int64   `json:"connect_timeout_ms"`
	ReadTimeoutMS         int64   `json:"read_timeout_ms"`
	BannerWaitMS          int64   `json:"banner_wait_ms"`
	UDP                   bool    `json:"udp"`
	Credentials           bool    `json:"credentials"`
}

// Port is an open TCP port (or an answering UDP service) and what was
// identified on it.
type Port struct {
	Address   string `json:"address"`
	Port      int    `json:"port"`
	Transport string `json:"transport"` // "tcp" or "udp"
	// Service is the identified protocol: ssh, telnet, ftp, http, https,
	// tls, mqtt, mqtt-tls, rtsp, ssdp, coap, mdns, or unknown.
	Service string `json:"service"`
	// Product is what the service says it is (a banner, Server header),
	// when it says so.
	Product string `json:"product,omitempty"`
	// TLS is set when the service runs over TLS.
	TLS bool `json:"tls,omitempty"`
}

// Observation is one exchange with the target: what was sent, what came
// back and how long it took. Credentials tried are recorded as sent: the
// built-in list is public data, and a lab needs to know which pair worked.
type Observation struct {
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	Address   string    `json:"address"`
	Port      int       `json:"port"`
	Transport string    `json:"transport"`
	Service   string    `json:"service"`
	// Check names what the exchange was for, e.g. "discovery", "banner",
	// "identify", "login", "tls.version", "tls.cipher", "tls.certificate",
	// "http.page", "mqtt.subscribe", "ftp.anonymous".
	Check    string `json:"check"`
	Sent     string `json:"sent,omitempty"`
	Received string `json:"received,omitempty"`
	// Result is the outcome in one word: open, identified, accepted,
	// rejected, lockout, offered, refused, valid, invalid, error, timeout.
	Result     string  `json:"result"`
	Username   *string `json:"username,omitempty"`
	Password   *string `json:"password,omitempty"`
	Detail     string  `json:"detail,omitempty"`
	DurationMS float64 `json:"duration_ms"`
	Error      string  `json:"error,omitempty"`
}

// Finding is a conclusion about one service of the target, with the
// requirement IDs it bears on and the observations behind it.
type Finding struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Verdict string `json:"verdict"`
	Title   string `json:"title"`
	Detail  string `json:"detail,omitempty"`
	Address string `json:"address"`
	Port    int    `json:"port"`
	Service string `json:"service"`
	// Username and Password name the pair that worked, on a credential
	// finding (an empty string is an empty username or password).
	Username     *string          `json:"username,omitempty"`
	Password     *string          `json:"password,omitempty"`
	Requirements []RequirementRef `json:"requirements"`
	Observations []string         `json:"observations"`
}

// RequirementRef names one requirement of one catalog.
type RequirementRef struct {
	Catalog     string `json:"catalog"`
	Requirement string `json:"requirement"`
}

// Coverage is the result the probe pre-fills for one requirement it bears
// on: fail when a failing finding maps to it, pass when only passing ones
// do. The lab confirms or overrides each in a Review.
type Coverage struct {
	Catalog     string   `json:"catalog"`
	Requirement string   `json:"requirement"`
	Outcome     string   `json:"outcome"` // pass or fail (trustmark.Outcome words)
	Findings    []string `json:"findings"`
	Summary     string   `json:"summary"`
}

// Failed returns the failing findings.
func (r *Report) Failed() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Verdict == VerdictFail {
			out = append(out, f)
		}
	}
	return out
}

// Finding returns the finding with the given ID.
func (r *Report) Finding(id string) (Finding, bool) {
	i := slices.IndexFunc(r.Findings, func(f Finding) bool { return f.ID == id })
	if i < 0 {
		return Finding{}, false
	}
	return r.Findings[i], true
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// ReadReport decodes a report written by WriteJSON and checks its schema.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	dec := json.NewDecoder(io.LimitReader(rd, 64<<20))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("labtest: read probe report: %w", err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("labtest: probe report has schema %q, want %q", r.Schema, Schema)
	}
	return &r, nil
}

// where formats address, port and service the way findings and logs name a
// target.
func where(address string, port int, service string) string {
	host := address
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s %s:%d", service, host, port)
}
