package trustmark_test

import (
	"strings"
	"testing"

	"trustmark"
)

func TestParseLabelID(t *testing.T) {
	id := trustmark.DeriveLabelID("example")
	plain := strings.ReplaceAll(string(id), "-", "")
	tests := []struct {
		in   string
		want trustmark.LabelID
		ok   bool
	}{
		{string(id), id, true},
		{strings.ToLower(string(id)), id, true},
		{plain, id, true},
		{"", "", false},
		{"ABCD", "", false},
		{"ABCD-EFGH-JKMN-PQRS", "", false},
		{"ABCD-EFGH-JKU0", "", false},  // U is not in the alphabet
		{"ABCD/EFGH/JKM0", "", false},  // separators other than '-'
		{"ABCD-EFGH-JKM0 ", "", false}, // trailing space
		{strings.Repeat("A", 40), "", false},
		{"ÄBCD-EFGH-JKM0", "", false},
	}
	for _, tt := range tests {
		got, err := trustmark.ParseLabelID(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseLabelID(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !trustmark.IsKind(err, trustmark.KindInvalid) {
			t.Errorf("ParseLabelID(%q) error kind = %s, want invalid", tt.in, trustmark.KindOf(err))
		}
	}
}

// Look-alike letters read off a package are accepted as the digits they resemble.
func TestParseLabelIDLookAlikes(t *testing.T) {
	for range 200 {
		id := string(trustmark.NewLabelID())
		typed := strings.NewReplacer("1", "l", "0", "O").Replace(id)
		if got, err := trustmark.ParseLabelID(typed); err != nil || string(got) != id {
			t.Fatalf("ParseLabelID(%q) = %q, %v; want %q", typed, got, err, id)
		}
	}
}

// The check character catches every single-character typo.
func TestLabelIDCheckCatchesTypos(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	for range 50 {
		id := []byte(strings.ReplaceAll(string(trustmark.NewLabelID()), "-", ""))
		for pos := range id {
			for _, c := range []byte(alphabet) {
				if c == id[pos] {
					continue
				}
				typo := append([]byte(nil), id...)
				typo[pos] = c
				if _, err := trustmark.ParseLabelID(string(typo)); err == nil {
					t.Fatalf("ParseLabelID(%s), a typo of %s, was accepted", typo, id)
				}
			}
		}
	}
}

func TestNewLabelIDIsCanonicalAndUnique(t *testing.T) {
	seen := map[trustmark.LabelID]bool{}
	for range 10000 {
		id := trustmark.NewLabelID()
		if got, err := trustmark.ParseLabelID(string(id)); err != nil || got != id {
			t.Fatalf("ParseLabelID(NewLabelID() = %s) = %s, %v", id, got, err)
		}
		if seen[id] {
			t.Fatalf("NewLabelID() repeated %s", id)
		}
		seen[id] = true
	}
	if a, b := trustmark.DeriveLabelID("x"), trustmark.DeriveLabelID("x"); a != b {
		t.Errorf("DeriveLabelID(x) = %s then %s; want the same", a, b)
	}
	if a, b := trustmark.DeriveLabelID("x"), trustmark.DeriveLabelID("y"); a == b {
		t.Errorf("DeriveLabelID(x) == DeriveLabelID(y) = %s", a)
	}
}
