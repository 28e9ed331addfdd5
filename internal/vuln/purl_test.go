package vuln_test

import (
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/vuln"
)

func TestParsePURL(t *testing.T) {
	tests := []struct {
		purl, canonical string
		key             trustmark.PackageKey
		version         string
	}{
		{"pkg:npm/%40angular/core@16.2.0", "pkg:npm/%40angular/core@16.2.0", trustmark.PackageKey{Ecosystem: "npm", Name: "@angular/core"}, "16.2.0"},
		{"pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.21", trustmark.PackageKey{Ecosystem: "npm", Name: "lodash"}, "4.17.21"},
		{"pkg:pypi/Django_REST.framework@3.14.0", "pkg:pypi/django-rest.framework@3.14.0", trustmark.PackageKey{Ecosystem: "PyPI", Name: "django-rest-framework"}, "3.14.0"},
		{"pkg:golang/github.com/BurntSushi/toml@v1.3.2", "pkg:golang/github.com/burntsushi/toml@v1.3.2", trustmark.PackageKey{Ecosystem: "Go", Name: "github.com/burntsushi/toml"}, "v1.3.2"},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", trustmark.PackageKey{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core"}, "2.14.1"},
		{"pkg:cargo/smallvec@1.10.0", "pkg:cargo/smallvec@1.10.0", trustmark.PackageKey{Ecosystem: "crates.io", Name: "smallvec"}, "1.10.0"},
		{"pkg:gem/rails@7.0.4", "pkg:gem/rails@7.0.4", trustmark.PackageKey{Ecosystem: "RubyGems", Name: "rails"}, "7.0.4"},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1", trustmark.PackageKey{Ecosystem: "NuGet", Name: "newtonsoft.json"}, "13.0.1"},
		{"pkg:composer/laravel/framework@10.0.0", "pkg:composer/laravel/framework@10.0.0", trustmark.PackageKey{Ecosystem: "Packagist", Name: "laravel/framework"}, "10.0.0"},
		{"pkg:hex/phoenix@1.7.0", "pkg:hex/phoenix@1.7.0", trustmark.PackageKey{Ecosystem: "Hex", Name: "phoenix"}, "1.7.0"},
		// Debian: the release from the distro qualifier, qualifiers sorted.
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12&arch=amd64", "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}, "3.0.11-1~deb12u2"},
		{"pkg:deb/debian/openssl@3.0.11-1?distro=debian-12.5", "pkg:deb/debian/openssl@3.0.11-1?distro=debian-12.5", trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}, "3.0.11-1"},
		{"pkg:deb/debian/openssl@3.0.11-1?distro=bookworm", "pkg:deb/debian/openssl@3.0.11-1?distro=bookworm", trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}, "3.0.11-1"},
		{"pkg:deb/debian/libssl3@1:3.0.11-1?distro=debian-12&upstream=openssl%403.0.11-1", "pkg:deb/debian/libssl3@1:3.0.11-1?distro=debian-12&upstream=openssl%403.0.11-1", trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}, "1:3.0.11-1"},
		{"pkg:deb/debian/curl@7.88.1-10", "pkg:deb/debian/curl@7.88.1-10", trustmark.PackageKey{Ecosystem: "Debian", Name: "curl"}, "7.88.1-10"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=sid", "pkg:deb/debian/curl@7.88.1-10?distro=sid", trustmark.PackageKey{Ecosystem: "Debian", Name: "curl"}, "7.88.1-10"},
		{"pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04", "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04", trustmark.PackageKey{Ecosystem: "Ubuntu:22.04", Name: "curl"}, "7.81.0-1ubuntu1.15"},
		{"pkg:deb/ubuntu/curl@7.81.0?distro=jammy", "pkg:deb/ubuntu/curl@7.81.0?distro=jammy", trustmark.PackageKey{Ecosystem: "Ubuntu:22.04", Name: "curl"}, "7.81.0"},
		{"pkg:apk/alpine/libcrypto3@3.1.4-r1?arch=x86_64&distro=alpine-3.19.0&upstream=openssl", "pkg:apk/alpine/libcrypto3@3.1.4-r1?arch=x86_64&distro=alpine-3.19.0&upstream=openssl", trustmark.PackageKey{Ecosystem: "Alpine:v3.19", Name: "openssl"}, "3.1.4-r1"},
		{"pkg:apk/alpine/busybox@1.36.1-r15?distro=v3.18", "pkg:apk/alpine/busybox@1.36.1-r15?distro=v3.18", trustmark.PackageKey{Ecosystem: "Alpine:v3.18", Name: "busybox"}, "1.36.1-r15"},
		// Types OSV has no ecosystem for; a subpath is kept in the canonical form.
		{"pkg:generic/openssl@1.1.1w", "pkg:generic/openssl@1.1.1w", trustmark.PackageKey{Name: "openssl"}, "1.1.1w"},
		{"pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs", "pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs", trustmark.PackageKey{Name: "package-url/purl-spec"}, "244fd47e07d1004"},
		{"pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25", "pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25", trustmark.PackageKey{Name: "fedora/curl"}, "7.50.3-1.fc25"},
		{"pkg:deb/raspbian/curl@7.0", "pkg:deb/raspbian/curl@7.0", trustmark.PackageKey{Name: "curl"}, "7.0"},
		{"pkg:npm/left-pad", "pkg:npm/left-pad", trustmark.PackageKey{Ecosystem: "npm", Name: "left-pad"}, ""},
	}
	for _, tt := range tests {
		canonical, key, version, err := vuln.ParsePURL(tt.purl)
		if err != nil || canonical != tt.canonical || key != tt.key || version != tt.version {
			t.Errorf("ParsePURL(%q) = %q, %+v, %q, %v; want %q, %+v, %q", tt.purl, canonical, key, version, err, tt.canonical, tt.key, tt.version)
		}
	}
}

func TestParsePURLErrors(t *testing.T) {
	for _, purl := range []string{"pkg:npm", "npm/lodash@1.0", "", "pkg:/lodash", "pkg:npm/lodash?=x", "pkg:n&m/x@1"} {
		_, _, _, err := vuln.ParsePURL(purl)
		if !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(err.Error(), "is not a valid package URL") {
			t.Errorf("ParsePURL(%q) error = %v, want KindInvalid naming the package URL", purl, err)
		}
	}
}

func TestNormalizeKey(t *testing.T) {
	tests := []struct{ in, want trustmark.PackageKey }{
		{trustmark.PackageKey{Ecosystem: "pypi", Name: "Foo__Bar.baz"}, trustmark.PackageKey{Ecosystem: "PyPI", Name: "foo-bar-baz"}},
		{trustmark.PackageKey{Ecosystem: "Debian:12", Name: "OpenSSL"}, trustmark.PackageKey{Ecosystem: "Debian:12", Name: "openssl"}},
		{trustmark.PackageKey{Ecosystem: "Maven", Name: "Org.Example:Lib"}, trustmark.PackageKey{Ecosystem: "Maven", Name: "Org.Example:Lib"}},
		{trustmark.PackageKey{Ecosystem: "npm", Name: "JSONStream"}, trustmark.PackageKey{Ecosystem: "npm", Name: "JSONStream"}},
		{trustmark.PackageKey{Ecosystem: "Ubuntu:22.04:LTS", Name: "Curl"}, trustmark.PackageKey{Ecosystem: "Ubuntu:22.04", Name: "curl"}},
		{trustmark.PackageKey{Ecosystem: "Ubuntu:Pro:FIPS-updates:20.04:LTS", Name: "openssl"}, trustmark.PackageKey{Ecosystem: "Ubuntu:20.04", Name: "openssl"}},
		{trustmark.PackageKey{Ecosystem: "Unknown:1", Name: "X"}, trustmark.PackageKey{Ecosystem: "Unknown:1", Name: "X"}},
	}
	for _, tt := range tests {
		if got := vuln.NormalizeKey(tt.in); got != tt.want {
			t.Errorf("NormalizeKey(%+v) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
