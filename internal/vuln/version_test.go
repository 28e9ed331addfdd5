package vuln_test

import (
	"errors"
	"testing"

	"trustmark/internal/vuln"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		ecosystem, a, b string
		want            int
	}{
		// Debian: epochs outrank upstream versions; "~" sorts before the end.
		{"Debian", "1:1.0", "2.0", 1},
		{"Debian:12", "1.0~rc1", "1.0", -1},
		{"Debian", "1.0~rc1", "1.0~rc2", -1},
		{"Debian", "3.0.11-1~deb12u2", "3.0.11-1", -1},
		{"Debian", "1.2.3-1+deb12u1", "1.2.3-1", 1},
		{"Debian", "1.2.3", "1.2.3-0", 0},
		{"Ubuntu:22.04:LTS", "2:8.2.3995-1ubuntu2.15", "2:8.2.3995-1ubuntu2.9", 1},
		// Alpine: -rN revisions, _rc before the release, _p after it.
		{"Alpine:v3.19", "1.2.3-r1", "1.2.3-r0", 1},
		{"Alpine", "1.2.3_rc1", "1.2.3", -1},
		{"Alpine", "1.2.3_p1", "1.2.3", 1},
		{"Alpine", "1.2.3_p1-r0", "1.2.4-r0", -1},
		{"Alpine", "1.2.3a", "1.2.3", 1},
		// npm and crates.io: semver 2.0 with prereleases.
		{"npm", "1.0.0-beta.2", "1.0.0-beta.11", -1},
		{"npm", "1.0.0-rc.1", "1.0.0", -1},
		{"npm", "1.0.0+build.5", "1.0.0", 0},
		{"npm", "4.17.21", "4.17.9", 1},
		{"crates.io", "0.9.0", "0.10.0", -1},
		// PyPI: PEP 440 normalisation, dev < pre < release < post.
		{"PyPI", "1.0.0", "1.0", 0},
		{"PyPI", "1.0rc1", "1.0", -1},
		{"PyPI", "1.0.post1", "1.0", 1},
		{"PyPI", "1.0.dev1", "1.0a1", -1},
		{"PyPI", "1!0.5", "2.0", 1},
		{"PyPI", "1.0-1", "1.0.post1", 0},
		// Go: the "v" prefix and +incompatible do not count.
		{"Go", "v1.2.3", "1.2.3", 0},
		{"Go", "v2.0.0+incompatible", "2.0.0", 0},
		{"Go", "v0.0.0-20210101000000-abcdef123456", "0.0.1", -1},
		// Maven: qualifiers alpha < beta < rc < snapshot < release < sp.
		{"Maven", "1.0-alpha", "1.0-beta", -1},
		{"Maven", "1.0-RC1", "1.0", -1},
		{"Maven", "1.0-SNAPSHOT", "1.0", -1},
		{"Maven", "1.0-sp1", "1.0", 1},
		{"Maven", "1.0.0", "1.0", 0},
		{"RubyGems", "1.0.0.pre", "1.0.0", -1},
		{"NuGet", "1.0.0-beta", "1.0.0", -1},
		{"Packagist", "v2.0.1", "2.0.0", 1},
		// Generic: go-version for dotted versions, runs otherwise.
		{"", "1.0", "1.0.0", 0},
		{"", "2.0.0-rc1", "2.0.0", -1},
		{"", "1.0.2k", "1.0.2", 1},
		{"", "1.0.2k", "1.0.2l", -1},
		{"", "1.1.1", "1.0.2zz", 1},
		{"", "2023.10", "2023.9", 1},
		{"OSS-Fuzz", "1.36.1", "1.36.0", 1},
	}
	for _, tt := range tests {
		got, err := vuln.Compare(tt.ecosystem, tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("Compare(%q, %q, %q) = %d, %v; want %d", tt.ecosystem, tt.a, tt.b, got, err, tt.want)
		}
		// The ordering must be antisymmetric.
		if back, err := vuln.Compare(tt.ecosystem, tt.b, tt.a); err != nil || back != -tt.want {
			t.Errorf("Compare(%q, %q, %q) = %d, %v; want %d", tt.ecosystem, tt.b, tt.a, back, err, -tt.want)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	tests := []struct{ ecosystem, version string }{
		{"npm", "abc"},
		{"npm", ""},
		{"Debian", "abc"},
		{"Debian", "x:1.0"},
		{"PyPI", "foo"},
		{"PyPI", "1.0-foo-bar"},
		{"Go", "latest"},
		{"Maven", "-1"},
		{"", "1 2"},
		{"", ""},
		{"", string(make([]byte, 300))},
	}
	for _, tt := range tests {
		if _, err := vuln.Compare(tt.ecosystem, tt.version, "1.0"); !errors.Is(err, vuln.ErrVersion) {
			t.Errorf("Compare(%q, %q, 1.0) error = %v, want ErrVersion", tt.ecosystem, tt.version, err)
		}
	}
}

func TestCompareGeneric(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.36.1", "1.36.1", 0},
		{"v1.2", "1.2.0", 0},
		{"1.0.beta", "1.0.1", -1},
		{"r25", "r9", 1},
	}
	for _, tt := range tests {
		if got, err := vuln.CompareGeneric(tt.a, tt.b); err != nil || got != tt.want {
			t.Errorf("CompareGeneric(%q, %q) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
}
