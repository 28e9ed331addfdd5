package labtest

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// maxRecorded caps the text of one observation's sent or received field:
// enough to show a banner, a status line and headers, not a whole page.
const maxRecorded = 1024

// recorder collects observations and findings from concurrent checks,
// numbers them and logs every observation as it is made.
type recorder struct {
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	obs      []Observation
	findings []Finding
}

func newRecorder(log *slog.Logger, now func() time.Time) *recorder {
	return &recorder{log: log, now: now}
}

// observe records one exchange and returns its ID. start is when the
// exchange began; the duration is measured to now.
func (r *recorder) observe(o Observation, start time.Time) string {
	end := r.now()
	o.Time = start.UTC()
	o.DurationMS = float64(end.Sub(start).Microseconds()) / 1000
	o.Sent = printable(o.Sent)
	o.Received = printable(o.Received)
	if o.Transport == "" {
		o.Transport = "tcp"
	}
	r.mu.Lock()
	o.ID = fmt.Sprintf("o%d", len(r.obs)+1)
	r.obs = append(r.obs, o)
	r.mu.Unlock()

	attrs := []any{"id", o.ID, "address", o.Address, "port", o.Port, "service", o.Service, "check", o.Check,
		"result", o.Result, "duration_ms", o.DurationMS}
	if o.Username != nil {
		attrs = append(attrs, "username", *o.Username, "password", deref(o.Password))
	}
	if o.Error != "" {
		attrs = append(attrs, "error", o.Error)
	}
	r.log.Info("probe attempt", attrs...)
	return o.ID
}

// find records a finding supported by the given observations; its
// requirement IDs come from the kind's entry in data/requirements.json.
func (r *recorder) find(f Finding, observations []string) {
	f.Requirements = requirementsOf(f.Kind)
	f.Observations = append([]string{}, observations...)
	r.mu.Lock()
	f.ID = fmt.Sprintf("F%d", len(r.findings)+1)
	r.findings = append(r.findings, f)
	r.mu.Unlock()
	attrs := []any{"id", f.ID, "kind", f.Kind, "verdict", f.Verdict, "address", f.Address, "port", f.Port, "service", f.Service}
	if f.Username != nil {
		attrs = append(attrs, "username", *f.Username, "password", deref(f.Password))
	}
	r.log.Info("probe finding", attrs...)
}

// idsFor returns the IDs of the observations of a port made by a check.
func (r *recorder) idsFor(port int, check string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, o := range r.obs {
		if o.Port == port && o.Transport == "tcp" && o.Check == check {
			out = append(out, o.ID)
		}
	}
	return out
}

// results returns copies of everything recorded.
func (r *recorder) results() ([]Observation, []Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Observation{}, r.obs...), append([]Finding{}, r.findings...)
}

// printable makes bytes from the wire safe to store and show: valid UTF-8
// with control bytes (other than tab and newline) escaped, capped.
func printable(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(s) && n < maxRecorded; {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n' || c == '\t':
			b.WriteRune(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteRune(c)
		}
		i += size
		n++
	}
	if n >= maxRecorded {
		b.WriteString("…")
	}
	return b.String()
}

// firstLine is the first line of s, trimmed and capped, for titles.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return truncate(strings.TrimSpace(s), 80)
}

// truncate caps s at n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
