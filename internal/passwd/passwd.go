// Package passwd hashes and checks portal passwords with Argon2id (RFC 9106)
// and stores the result in the PHC string format
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", salt and hash in
// unpadded standard base64), so that the parameters travel with each hash
// and can be raised later: Verify reports when a hash was made with weaker
// parameters than Hash uses now.
package passwd

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"trustmark"
)

// The parameters of new hashes: the OWASP Password Storage Cheat Sheet's
// minimum for Argon2id (19 MiB of memory, 2 passes, 1 lane), a 128-bit salt
// and a 256-bit key.
const (
	Memory  = 19456 // KiB
	Time    = 2
	Threads = 1
	SaltLen = 16
	KeyLen  = 32
)

// Limits on the parameters Verify accepts, so that a tampered stored hash
// cannot make a sign-in take unbounded memory or time.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 16
	maxThreads = 16
	minSalt    = 8
	maxSalt    = 64
	minKey     = 16
	maxKey     = 64
)

// Password length limits, in characters. The maximum bounds the work an
// attacker can make the server do per attempt.
const (
	MinLength = 12
	MaxLength = 1024
)

// ErrMalformed is wrapped by every error Verify returns: the stored string
// is not an Argon2id PHC hash with acceptable parameters.
var ErrMalformed = errors.New("passwd: malformed password hash")

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// params are the Argon2id parameters of one hash.
type params struct {
	memory  uint32
	time    uint32
	threads uint8
}

// current are the parameters Hash uses.
var current = params{memory: Memory, time: Time, threads: Threads}

// Hash returns the PHC string of password under a fresh random salt.
func Hash(password string) (string, error) {
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("passwd: reading random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, current.time, current.memory, current.threads, KeyLen)
	return encode(current, salt, key), nil
}

// encode formats a PHC string.
func encode(p params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches hash, comparing in constant time.
// needsRehash is true when the password matches but hash was made with
// weaker parameters than Hash uses now; the caller should then store a new
// Hash of the password. The error, wrapping ErrMalformed, says hash is not a
// well-formed Argon2id PHC string within sane limits.
func Verify(hash, password string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decode(hash)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	weaker := p.memory < current.memory || p.time < current.time || len(salt) < SaltLen || len(key) < KeyLen
	return true, weaker, nil
}

// decode parses a PHC string of Argon2id version 19.
func decode(hash string) (p params, salt, key []byte, err error) {
	bad := func(why string) (params, []byte, []byte, error) {
		return params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=…$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version is not 19")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return bad("want parameters m, t and p")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return bad("want parameters m, t and p in that order")
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 || (len(v) > 1 && v[0] == '0') {
			return bad("parameter " + name + " is not a positive decimal number")
		}
		vals[i] = n
	}
	if vals[0] > maxMemory || vals[1] > maxTime || vals[2] > maxThreads {
		return bad("parameters exceed the accepted limits")
	}
	p = params{memory: uint32(vals[0]), time: uint32(vals[1]), threads: uint8(vals[2])}
	// Argon2 needs at least 8 KiB of memory per lane.
	if p.memory < 8*uint32(p.threads) {
		return bad("memory is below 8 KiB per lane")
	}
	if salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(salt) < minSalt || len(salt) > maxSalt {
		return bad("salt is not 8 to 64 bytes of unpadded base64")
	}
	if key, err = b64.Strict().DecodeString(parts[5]); err != nil || len(key) < minKey || len(key) > maxKey {
		return bad("hash is not 16 to 64 bytes of unpadded base64")
	}
	return p, salt, key, nil
}

// Check applies the password policy (NIST SP 800-63B section 3.1.1.2): at
// least MinLength and at most MaxLength characters of valid UTF-8, and not
// the account's email address or its local part. Its errors are
// trustmark.FieldError("password", …) saying what is wrong.
func Check(password, email string) error {
	if !utf8.ValidString(password) {
		return trustmark.FieldError("password", "is not valid UTF-8 text")
	}
	n := utf8.RuneCountInString(password)
	if n < MinLength {
		return trustmark.FieldError("password", "must be at least %d characters long; it has %d", MinLength, n)
	}
	if n > MaxLength {
		return trustmark.FieldError("password", "must be at most %d characters long; it has %d", MaxLength, n)
	}
	pw := strings.ToLower(strings.TrimSpace(password))
	email = strings.ToLower(strings.TrimSpace(email))
	local, _, _ := strings.Cut(email, "@")
	if email != "" && (pw == email || pw == local) {
		return trustmark.FieldError("password", "must not be your email address")
	}
	return nil
}

// Generate returns a random password of 144 bits in 24 base64url
// characters: well over MinLength and never guessable. It is what the
// server and the CLI hand out when an admin adds a user without a password.
func Generate() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("passwd: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
