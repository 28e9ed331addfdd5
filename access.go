package trustmark

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"
)

// Role is what a token may do within its organization.
type Role string

// The roles, from most to least powerful.
const (
	// RoleAdmin may do everything its organization may, including managing tokens.
	RoleAdmin Role = "admin"
	// RoleMember may take part in the program (file, test, decide) but not manage tokens.
	RoleMember Role = "member"
	// RoleViewer may only read what its organization may read.
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// AtLeast reports whether r grants at least what min grants.
func (r Role) AtLeast(min Role) bool {
	rank := map[Role]int{RoleViewer: 1, RoleMember: 2, RoleAdmin: 3}
	return rank[r] >= rank[min]
}

// Token is an API credential of one person (its holder) acting for one
// organization with one role. The secret is shown once, at creation; only
// its SHA-256 hash is stored.
type Token struct {
	ID        string     `json:"id"`
	OrgID     string     `json:"organization_id"`
	Holder    string     `json:"holder"` // the person using it, e.g. "Ana Ruiz <ana@lab.example>"
	Role      Role       `json:"role"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"` // the token ID that created it, or "init"
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Validate checks the token's fields.
func (t *Token) Validate() error {
	if t.OrgID == "" {
		return FieldError("organization_id", "is required")
	}
	if err := checkText("holder", t.Holder, 1, maxName); err != nil {
		return err
	}
	if !t.Role.Valid() {
		return FieldError("role", "must be admin, member or viewer; got %q", truncate(string(t.Role), 20))
	}
	if len(t.Hash) != sha256.Size {
		return FieldError("hash", "is not a SHA-256 hash")
	}
	return nil
}

// tokenPrefix marks trustmark tokens so that secret scanners can find leaked ones.
const tokenPrefix = "tmk_"

// NewTokenSecret returns a fresh random token secret (160 bits) and its hash.
func NewTokenSecret() (secret string, hash []byte) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("trustmark: crypto/rand failed: " + err.Error())
	}
	secret = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a token secret. A fast hash suffices:
// secrets are random and long, so there is nothing to guess.
func HashToken(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// LooksLikeToken reports whether s has the shape of a token secret.
func LooksLikeToken(s string) bool {
	return strings.HasPrefix(s, tokenPrefix) && len(s) == len(tokenPrefix)+32
}

// Principal is an authenticated caller: a token and the organization it acts for.
type Principal struct {
	Org   Organization
	Token Token
}

// Actor names the principal in audit entries and attestations.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	return p.Token.Holder + " (" + p.Org.Name + ")"
}

// Is reports whether the principal's organization is of one of the kinds.
func (p *Principal) Is(kinds ...OrgKind) bool {
	if p == nil {
		return false
	}
	for _, k := range kinds {
		if p.Org.Kind == k {
			return true
		}
	}
	return false
}
