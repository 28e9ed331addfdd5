package trustmark

import (
	"crypto/rand"
	"crypto/sha256"
	"strings"
)

// LabelID identifies one labeled product for its whole life: it is printed
// under the label's QR code, is part of the registry URL {base}/p/{label_id}
// and never changes or gets reused.
//
// The canonical form is three groups of four Crockford base32 characters,
// e.g. "H7QK-3M9D-W2RX": eleven random characters (55 bits) followed by one
// Luhn mod 32 check character, so that a mistyped ID is recognized as
// malformed instead of looked up.
type LabelID string

// crockford is the Crockford base32 alphabet: digits and letters without
// I, L, O and U, which are easily confused when read off a package.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// labelIDChars is the number of base32 characters in a label ID, check included.
const labelIDChars = 12

// NewLabelID returns a fresh random label ID.
func NewLabelID() LabelID {
	var b [labelIDChars - 1]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("trustmark: crypto/rand failed: " + err.Error()) // never happens on supported platforms
	}
	return labelIDOf(b[:])
}

// DeriveLabelID returns the label ID derived from seed: the same seed always
// gives the same ID. Demo and generated data use it for stable URLs; real
// grants use NewLabelID.
func DeriveLabelID(seed string) LabelID {
	sum := sha256.Sum256([]byte("trustmark label id\x00" + seed))
	return labelIDOf(sum[:labelIDChars-1])
}

// labelIDOf encodes eleven bytes (five bits of each) and a check character.
func labelIDOf(b []byte) LabelID {
	var d [labelIDChars]byte
	for i := range labelIDChars - 1 {
		d[i] = crockford[b[i]&31]
	}
	d[labelIDChars-1] = crockford[luhn32(d[:labelIDChars-1])]
	return LabelID(group(d[:]))
}

// ParseLabelID validates s and returns it in canonical form. It accepts
// lower case, missing hyphens and the Crockford look-alikes I, L (for 1) and
// O (for 0). A malformed ID or a wrong check character is KindInvalid.
func ParseLabelID(s string) (LabelID, error) {
	if len(s) > 32 {
		return "", FieldError("label_id", "too long: a label ID has 12 characters, like H7QK-3M9D-W2RX")
	}
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			continue
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		switch c {
		case 'I', 'L':
			c = '1'
		case 'O':
			c = '0'
		}
		if strings.IndexByte(crockford, c) < 0 {
			return "", FieldError("label_id", "%q is not a label ID: it may hold only digits and the letters A-Z without U", truncate(s, 40))
		}
		d = append(d, c)
	}
	if len(d) != labelIDChars {
		return "", FieldError("label_id", "%q is not a label ID: it needs 12 characters, like H7QK-3M9D-W2RX", truncate(s, 40))
	}
	if crockford[luhn32(d[:labelIDChars-1])] != d[labelIDChars-1] {
		return "", FieldError("label_id", "%q is not a label ID: its check character is wrong (mistyped?)", truncate(s, 40))
	}
	return LabelID(group(d)), nil
}

// String returns the ID as text.
func (id LabelID) String() string { return string(id) }

// group inserts a hyphen after every fourth character.
func group(d []byte) string {
	var sb strings.Builder
	for i, c := range d {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(c)
	}
	return sb.String()
}

// luhn32 computes the Luhn mod N check value (N = 32) of base32 characters,
// which catches every single-character error and most adjacent swaps.
func luhn32(d []byte) int {
	factor, sum := 2, 0
	for i := len(d) - 1; i >= 0; i-- {
		addend := factor * strings.IndexByte(crockford, d[i])
		factor = 3 - factor
		sum += addend/32 + addend%32
	}
	return (32 - sum%32) % 32
}

// truncate shortens s for use inside an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
