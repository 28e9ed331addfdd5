package passwd_test

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"

	"trustmark"
	"trustmark/internal/passwd"
)

func TestHashVerify(t *testing.T) {
	h, err := passwd.Hash("correct horse battery staple")
	if err != nil {
		t.Fatalf("Hash() = %v", err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash() = %q, want a PHC string with the OWASP parameters", h)
	}
	h2, _ := passwd.Hash("correct horse battery staple")
	if h == h2 {
		t.Errorf("Hash() twice gave %q both times; want fresh salts", h)
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery staplf", false},
		{"Correct horse battery staple", false},
		{"correct horse battery staple ", false},
		{"", false},
	} {
		ok, rehash, err := passwd.Verify(h, tt.password)
		if err != nil || ok != tt.want || rehash {
			t.Errorf("Verify(h, %q) = %v, %v, %v; want %v, false, nil", tt.password, ok, rehash, err, tt.want)
		}
	}
}

// TestVerifyReference checks hashes made by the Argon2 reference
// implementation (phc-winner-argon2, src/test.c), so that our PHC parsing
// and Argon2id agree with other implementations, not only with themselves.
func TestVerifyReference(t *testing.T) {
	for _, tt := range []struct {
		password, hash string
	}{
		{"password", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"},
		{"password", "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc"},
		{"password", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"},
		{"password", "$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw"},
		{"differentpassword", "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94"},
	} {
		ok, rehash, err := passwd.Verify(tt.hash, tt.password)
		// The reference salts are 8 bytes, shorter than ours: a match
		// asks for a rehash.
		if err != nil || !ok || !rehash {
			t.Errorf("Verify(%s, %q) = %v, %v, %v; want true, true, nil", tt.hash, tt.password, ok, rehash, err)
		}
		if ok, _, err := passwd.Verify(tt.hash, tt.password+"x"); err != nil || ok {
			t.Errorf("Verify(%s, %q) = %v, %v; want false, nil", tt.hash, tt.password+"x", ok, err)
		}
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	salt := []byte("0123456789abcdef")
	for _, tt := range []struct {
		name          string
		m, t          uint32
		p             uint8
		salt          []byte
		keyLen        uint32
		wantRehash    bool
		wantMalformed bool
	}{
		{"current", 19456, 2, 1, salt, 32, false, false},
		{"stronger", 65536, 3, 2, salt, 32, false, false},
		{"less memory", 4096, 2, 1, salt, 32, true, false},
		{"fewer passes", 19456, 1, 1, salt, 32, true, false},
		{"short key", 19456, 2, 1, salt, 16, true, false},
		{"short salt", 19456, 2, 1, salt[:8], 32, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key := argon2.IDKey([]byte("a long enough password"), tt.salt, tt.t, tt.m, tt.p, tt.keyLen)
			h := "$argon2id$v=19$m=" + itoa(tt.m) + ",t=" + itoa(tt.t) + ",p=" + itoa(uint32(tt.p)) + "$" + b64(tt.salt) + "$" + b64(key)
			ok, rehash, err := passwd.Verify(h, "a long enough password")
			if err != nil || !ok || rehash != tt.wantRehash {
				t.Errorf("Verify(%s) = %v, %v, %v; want true, %v, nil", h, ok, rehash, err, tt.wantRehash)
			}
		})
	}
}

func TestVerifyTampered(t *testing.T) {
	const pw = "a long enough password"
	h, err := passwd.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$") // "", argon2id, v=19, params, salt, key
	flip := func(s string) string {
		// Change the first character to another base64 character.
		c := "A"
		if s[0] == 'A' {
			c = "B"
		}
		return c + s[1:]
	}
	join := func(p []string) string { return strings.Join(p, "$") }
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return join(p)
	}
	// Well-formed but different: the password no longer matches.
	for name, tampered := range map[string]string{
		"salt":       with(4, flip(parts[4])),
		"key":        with(5, flip(parts[5])),
		"memory":     with(3, "m=19457,t=2,p=1"),
		"passes":     with(3, "m=19456,t=3,p=1"),
		"lanes":      with(3, "m=19456,t=2,p=2"),
		"key length": with(5, parts[5][:len(parts[5])-11]), // 24 bytes
	} {
		ok, _, err := passwd.Verify(tampered, pw)
		if ok || err != nil {
			t.Errorf("Verify(tampered %s) = %v, %v; want false, nil", name, ok, err)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	h, err := passwd.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	for name, bad := range map[string]string{
		"empty":             "",
		"plain text":        "a long enough password",
		"bcrypt":            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
		"argon2i":           with(1, "argon2i"),
		"argon2d":           with(1, "argon2d"),
		"version 16":        with(2, "v=16"),
		"no version":        strings.Join(append(parts[:2:2], parts[3:]...), "$"),
		"missing part":      strings.Join(parts[:5], "$"),
		"extra part":        h + "$x",
		"leading text":      "x" + h,
		"params order":      with(3, "t=2,m=19456,p=1"),
		"params missing":    with(3, "m=19456,t=2"),
		"params extra":      with(3, "m=19456,t=2,p=1,k=1"),
		"params zero":       with(3, "m=19456,t=0,p=1"),
		"params negative":   with(3, "m=19456,t=-2,p=1"),
		"params leading 0":  with(3, "m=019456,t=2,p=1"),
		"params not number": with(3, "m=lots,t=2,p=1"),
		"memory too large":  with(3, "m=4294967295,t=2,p=1"),
		"passes too many":   with(3, "m=19456,t=1000,p=1"),
		"lanes too many":    with(3, "m=19456,t=2,p=255"),
		"memory per lane":   with(3, "m=8,t=2,p=2"),
		"salt not base64":   with(4, "!!!!!!!!!!!!!!!!!!!!!!"),
		"salt padded":       with(4, parts[4]+"=="),
		"salt too short":    with(4, b64([]byte("1234567"))),
		"key not base64":    with(5, "%%%%"+parts[5][4:]),
		"key too short":     with(5, b64([]byte("0123456789abcde"))),
		"key too long":      with(5, b64(make([]byte, 65))),
		"key empty":         with(5, ""),
	} {
		ok, rehash, err := passwd.Verify(bad, "a long enough password")
		if ok || rehash || !errors.Is(err, passwd.ErrMalformed) {
			t.Errorf("Verify(%s: %q) = %v, %v, %v; want false, false, ErrMalformed", name, bad, ok, rehash, err)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		password, email string
		wantErr         string // "" for none
	}{
		{"correct horse battery staple", "ana@lab.example", ""},
		{"twelve chars", "ana@lab.example", ""},
		{"ñandú-ñandú", "ana@lab.example", "at least 12 characters"}, // 11 characters, 13 bytes
		{"ñandú-ñandú!", "ana@lab.example", ""},                      // 12 characters
		{"eleven char", "ana@lab.example", "at least 12 characters"},
		{"", "ana@lab.example", "at least 12 characters"},
		{strings.Repeat("x", 1024), "ana@lab.example", ""},
		{strings.Repeat("x", 1025), "ana@lab.example", "at most 1024 characters"},
		{"ana.ruiz@lab.example", "ana.ruiz@lab.example", "must not be your email"},
		{"ANA.RUIZ@LAB.EXAMPLE", "ana.ruiz@lab.example", "must not be your email"},
		{" ana.ruiz@lab.example ", "ana.ruiz@lab.example", "must not be your email"},
		{"ana.ruiz.lab", "ana.ruiz.lab@lab.example", "must not be your email"},
		{"ana.ruiz@lab.example!", "ana.ruiz@lab.example", ""},
		{"bad utf-8 \xff\xfe here", "ana@lab.example", "UTF-8"},
	} {
		err := passwd.Check(tt.password, tt.email)
		if tt.wantErr == "" {
			if err != nil {
				t.Errorf("Check(%q, %q) = %v, want nil", tt.password, tt.email, err)
			}
			continue
		}
		var e *trustmark.Error
		if !errors.As(err, &e) || e.Kind != trustmark.KindInvalid || e.Field != "password" || !strings.Contains(e.Message, tt.wantErr) {
			t.Errorf("Check(%.40q, %q) = %v, want a password field error containing %q", tt.password, tt.email, err, tt.wantErr)
		}
	}
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
