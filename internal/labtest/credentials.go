package labtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Credential is one username/password pair to try.
type Credential struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Services limits the pair to some login services (telnet, ssh, http,
	// ftp, mqtt); empty means all.
	Services []string `json:"services,omitempty"`
	// Sources are keys of the list's sources.
	Sources []string `json:"sources"`
}

// CredentialSource says where pairs come from.
type CredentialSource struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Order string `json:"order,omitempty"`
}

// CredentialList is an ordered list of pairs with their sources, in the
// format of data/credentials.json.
type CredentialList struct {
	About   string                      `json:"about,omitempty"`
	Sources map[string]CredentialSource `json:"sources"`
	Pairs   []Credential                `json:"pairs"`

	name string
	sum  string
}

// CredentialListInfo identifies the list a report's attempts came from.
type CredentialListInfo struct {
	Name   string `json:"name"`
	Pairs  int    `json:"pairs"`
	SHA256 string `json:"sha256"`
}

// BuiltinCredentials returns the built-in list: the 61 unique pairs of the
// Mirai botnet's scanner followed by common vendor defaults, each with its
// sources (data/credentials.json).
func BuiltinCredentials() (*CredentialList, error) {
	b, err := dataFS.ReadFile("data/credentials.json")
	if err != nil {
		return nil, err
	}
	return ParseCredentials(bytes.NewReader(b), "built-in")
}

// ParseCredentials reads a list in the built-in list's format. Every pair
// needs a username or a password; duplicates and unknown services are
// refused.
func ParseCredentials(r io.Reader, name string) (*CredentialList, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, err
	}
	var l CredentialList
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("credential list %s: %w", name, err)
	}
	if len(l.Pairs) == 0 {
		return nil, fmt.Errorf("credential list %s has no pairs", name)
	}
	seen := map[[2]string]bool{}
	for i, c := range l.Pairs {
		if c.Username == "" && c.Password == "" {
			return nil, fmt.Errorf("credential list %s: pair %d has neither username nor password", name, i+1)
		}
		k := [2]string{c.Username, c.Password}
		if seen[k] {
			return nil, fmt.Errorf("credential list %s: pair %d (%q/%q) repeats an earlier one", name, i+1, c.Username, c.Password)
		}
		seen[k] = true
		for _, s := range c.Services {
			if !slices.Contains(loginServices, s) {
				return nil, fmt.Errorf("credential list %s: pair %d names service %q; want one of %v", name, i+1, s, loginServices)
			}
		}
		for _, s := range c.Sources {
			if _, ok := l.Sources[s]; !ok {
				return nil, fmt.Errorf("credential list %s: pair %d cites source %q, which the list does not describe", name, i+1, s)
			}
		}
	}
	sum := sha256.Sum256(b)
	l.name, l.sum = name, hex.EncodeToString(sum[:])
	return &l, nil
}

// loginServices are the services credentials are tried against.
var loginServices = []string{"telnet", "ssh", "http", "ftp", "mqtt"}

// For returns the pairs to try against a login service, in list order.
func (l *CredentialList) For(svc string) []Credential {
	var out []Credential
	for _, c := range l.Pairs {
		if len(c.Services) == 0 || slices.Contains(c.Services, svc) {
			out = append(out, c)
		}
	}
	return out
}

// Info identifies the list for the report.
func (l *CredentialList) Info() CredentialListInfo {
	return CredentialListInfo{Name: l.name, Pairs: len(l.Pairs), SHA256: l.sum}
}
