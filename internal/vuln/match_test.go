package vuln_test

import (
	"encoding/json"
	"testing"
	"time"

	"trustmark"
	"trustmark/internal/vuln"
)

// record builds an OSV record, round-tripped through ParseOSV so that the
// fixtures are valid OSV.
func record(t *testing.T, id string, affected ...vuln.Affected) *vuln.OSV {
	t.Helper()
	o := vuln.OSV{ID: id, Modified: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Aliases: []string{"CVE-2024-0001"}, Affected: affected}
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := vuln.ParseOSV(raw)
	if err != nil {
		t.Fatalf("fixture %s: %v", id, err)
	}
	return parsed
}

// pkgRange is one affected package with one range of the given events.
func pkgRange(ecosystem, name, typ string, events ...vuln.Event) vuln.Affected {
	return vuln.Affected{Package: &vuln.Package{Ecosystem: ecosystem, Name: name}, Ranges: []vuln.Range{{Type: typ, Events: events}}}
}

func intro(v string) vuln.Event { return vuln.Event{Introduced: v} }
func fixed(v string) vuln.Event { return vuln.Event{Fixed: v} }
func last(v string) vuln.Event  { return vuln.Event{LastAffected: v} }
func limit(v string) vuln.Event { return vuln.Event{Limit: v} }

// comp is a component as sbom.Parse makes it from a package URL.
func comp(t *testing.T, purl string) trustmark.SoftwareComponent {
	t.Helper()
	canonical, key, version, err := vuln.ParsePURL(purl)
	if err != nil {
		t.Fatal(err)
	}
	c := trustmark.SoftwareComponent{Name: key.Name, Version: version, PURL: canonical}
	if key.Ecosystem != "" {
		c.Ecosystem, c.Package = key.Ecosystem, key.Name
	}
	return c
}

func TestAffects(t *testing.T) {
	debian := record(t, "DSA-0001-1", pkgRange("Debian:12", "openssl", vuln.RangeEcosystem, intro("0"), fixed("3.0.11-1~deb12u2")))
	debianEpoch := record(t, "DSA-0002-1", pkgRange("Debian:12", "vim", vuln.RangeEcosystem, intro("0"), fixed("1:1.5-1")))
	debianNoRelease := record(t, "DEBIAN-CVE-1", pkgRange("Debian", "curl", vuln.RangeEcosystem, intro("0"), fixed("7.88.1-10+deb12u5")))
	debian11 := record(t, "DSA-0003-1", pkgRange("Debian:11", "curl", vuln.RangeEcosystem, intro("0"), fixed("7.74.0-1.3+deb11u11")))
	ubuntu := record(t, "UBUNTU-CVE-2024-1", pkgRange("Ubuntu:Pro:22.04:LTS", "curl", vuln.RangeEcosystem, intro("0"), fixed("7.81.0-1ubuntu1.16")))
	alpine := record(t, "ALPINE-1", pkgRange("Alpine:v3.19", "busybox", vuln.RangeEcosystem, intro("0"), fixed("1.36.1-r16")))
	npm := record(t, "GHSA-npm1", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("4.17.21")))
	npmBranch := record(t, "GHSA-npm2", pkgRange("npm", "@scope/widget", vuln.RangeSemver, intro("2.0.0"), fixed("2.3.0")))
	npmLast := record(t, "GHSA-npm3", pkgRange("npm", "left-pad", vuln.RangeSemver, intro("0"), last("2.5.0")))
	npmLimit := record(t, "GHSA-npm4", pkgRange("npm", "limited", vuln.RangeSemver, intro("0"), limit("3.0.0")))
	pypi := record(t, "PYSEC-1", pkgRange("PyPI", "Django_Foo", vuln.RangeEcosystem, intro("0"), fixed("2.0")))
	goAdv := record(t, "GO-2024-0001", pkgRange("Go", "github.com/BurntSushi/toml", vuln.RangeSemver, intro("0"), fixed("1.2.3")))
	goIncompat := record(t, "GO-2024-0002", pkgRange("Go", "github.com/old/lib", vuln.RangeSemver, intro("2.0.0"), fixed("2.0.1")))
	maven := record(t, "GHSA-mvn1", pkgRange("Maven", "org.apache.logging.log4j:log4j-core", vuln.RangeEcosystem, intro("2.0-beta9"), fixed("2.15.0")))
	crates := record(t, "RUSTSEC-1", pkgRange("crates.io", "smallvec", vuln.RangeSemver, intro("0.9.0"), fixed("0.10.2")))
	generic := record(t, "OSV-GEN-1", vuln.Affected{
		Package: &vuln.Package{Ecosystem: "OSS-Fuzz", Name: "openssl", PURL: "pkg:generic/openssl"},
		Ranges:  []vuln.Range{{Type: vuln.RangeEcosystem, Events: []vuln.Event{intro("1.0.2"), fixed("1.0.2l")}}},
	})
	multi := record(t, "GHSA-multi", vuln.Affected{
		Package: &vuln.Package{Ecosystem: "npm", Name: "multi"},
		Ranges: []vuln.Range{
			{Type: vuln.RangeSemver, Events: []vuln.Event{intro("1.0.0"), fixed("1.4.2")}},
			{Type: vuln.RangeSemver, Events: []vuln.Event{intro("2.0.0"), fixed("2.1.7")}},
		},
	})
	unsorted := record(t, "GHSA-unsorted", pkgRange("npm", "unsorted", vuln.RangeSemver, fixed("1.5.0"), intro("2.0.0"), fixed("2.3.0"), intro("0")))
	listed := record(t, "PYSEC-listed", vuln.Affected{Package: &vuln.Package{Ecosystem: "PyPI", Name: "listed"}, Versions: []string{"1.0.0", "1.1"}})
	const commitA, commitB, commitC = "3f786850e387550fdab836ed7e6dc881de23001b", "89e6c98d92887913cadf06b2adb97f26cde4849b", "a8fdc205a9f19cc1c7507a60c4f01b13d11d7fd0"
	git := record(t, "OSV-GIT-1", vuln.Affected{
		Ranges:   []vuln.Range{{Type: vuln.RangeGit, Repo: "https://git.example.org/lib.git", Events: []vuln.Event{intro(commitA), fixed(commitB)}}},
		Versions: []string{"v1.0.0", commitC},
		Package:  &vuln.Package{Ecosystem: "OSS-Fuzz", Name: "lib", PURL: "pkg:generic/lib"},
	})
	gitLimit := record(t, "OSV-GIT-2", vuln.Affected{
		Ranges:  []vuln.Range{{Type: vuln.RangeGit, Repo: "https://git.example.org/lib.git", Events: []vuln.Event{intro(commitA), limit(commitB)}}},
		Package: &vuln.Package{Ecosystem: "OSS-Fuzz", Name: "lib", PURL: "pkg:generic/lib"},
	})
	badEvent := record(t, "GHSA-bad", pkgRange("npm", "badevent", vuln.RangeSemver, intro("0"), fixed("not-a-version")))
	withdrawn := record(t, "GHSA-withdrawn", pkgRange("npm", "lodash", vuln.RangeSemver, intro("0"), fixed("4.17.21")))
	withdrawn.Withdrawn = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

	tests := []struct {
		name      string
		osv       *vuln.OSV
		component trustmark.SoftwareComponent
		want      bool
		fixed     string
	}{
		{"debian below fix", debian, comp(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"), true, "3.0.11-1~deb12u2"},
		{"debian == fixed", debian, comp(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12"), false, ""},
		{"debian tilde: 3.0.11-1 is after ~deb12u2", debian, comp(t, "pkg:deb/debian/openssl@3.0.11-1?distro=debian-12"), false, ""},
		{"debian binary package via upstream qualifier", debian, comp(t, "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"), true, "3.0.11-1~deb12u2"},
		{"debian other release", debian, comp(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-11"), false, ""},
		{"debian component without release", debian, comp(t, "pkg:deb/debian/openssl@3.0.11-1~deb12u1"), true, "3.0.11-1~deb12u2"},
		{"debian epoch 0 2.0 is before 1:1.5", debianEpoch, comp(t, "pkg:deb/debian/vim@2.0-1?distro=bookworm"), true, "1:1.5-1"},
		{"debian epoch == fixed", debianEpoch, comp(t, "pkg:deb/debian/vim@1:1.5-1?distro=bookworm"), false, ""},
		{"debian advisory without release", debianNoRelease, comp(t, "pkg:deb/debian/curl@7.88.1-10+deb12u4?distro=debian-12"), true, "7.88.1-10+deb12u5"},
		{"debian 11 advisory, debian 12 component", debian11, comp(t, "pkg:deb/debian/curl@7.74.0-1.3?distro=debian-12"), false, ""},
		{"ubuntu: LTS and Pro decorations ignored", ubuntu, comp(t, "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04"), true, "7.81.0-1ubuntu1.16"},
		{"ubuntu: other release", ubuntu, comp(t, "pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=noble"), false, ""},
		{"alpine revision below fix", alpine, comp(t, "pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.19.1"), true, "1.36.1-r16"},
		{"alpine == fixed revision", alpine, comp(t, "pkg:apk/alpine/busybox@1.36.1-r16?distro=alpine-3.19.1"), false, ""},
		{"alpine _rc before release", alpine, comp(t, "pkg:apk/alpine/busybox@1.36.1_rc1-r20?distro=alpine-3.19.1"), true, "1.36.1-r16"},
		{"alpine _p after release", alpine, comp(t, "pkg:apk/alpine/busybox@1.36.1_p1-r0?distro=alpine-3.19.1"), false, ""},
		{"alpine other release", alpine, comp(t, "pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.18.4"), false, ""},
		{"npm below fix", npm, comp(t, "pkg:npm/lodash@4.17.20"), true, "4.17.21"},
		{"npm == fixed", npm, comp(t, "pkg:npm/lodash@4.17.21"), false, ""},
		{"npm prerelease of the fix", npm, comp(t, "pkg:npm/lodash@4.17.21-beta.1"), true, "4.17.21"},
		{"npm above", npm, comp(t, "pkg:npm/lodash@5.0.0"), false, ""},
		{"npm == introduced", npmBranch, comp(t, "pkg:npm/%40scope/widget@2.0.0"), true, "2.3.0"},
		{"npm below introduced", npmBranch, comp(t, "pkg:npm/%40scope/widget@1.9.9"), false, ""},
		{"npm == last_affected", npmLast, comp(t, "pkg:npm/left-pad@2.5.0"), true, ""},
		{"npm above last_affected", npmLast, comp(t, "pkg:npm/left-pad@2.5.1"), false, ""},
		{"npm below limit", npmLimit, comp(t, "pkg:npm/limited@2.9.0"), true, ""},
		{"npm == limit", npmLimit, comp(t, "pkg:npm/limited@3.0.0"), false, ""},
		{"pypi normalised name, below fix", pypi, comp(t, "pkg:pypi/django-foo@1.9"), true, "2.0"},
		{"pypi 2.0.0 == fixed 2.0", pypi, comp(t, "pkg:pypi/django-foo@2.0.0"), false, ""},
		{"pypi release candidate", pypi, comp(t, "pkg:pypi/Django.Foo@2.0rc1"), true, "2.0"},
		{"pypi dev release", pypi, comp(t, "pkg:pypi/django_foo@2.0.dev3"), true, "2.0"},
		{"pypi post release", pypi, comp(t, "pkg:pypi/django-foo@2.0.post1"), false, ""},
		{"go v prefix, mixed-case module", goAdv, comp(t, "pkg:golang/github.com/BurntSushi/toml@v1.2.2"), true, "1.2.3"},
		{"go == fixed", goAdv, comp(t, "pkg:golang/github.com/burntsushi/toml@v1.2.3"), false, ""},
		{"go +incompatible", goIncompat, comp(t, "pkg:golang/github.com/old/lib@v2.0.0+incompatible"), true, "2.0.1"},
		{"maven release candidate of the fix", maven, comp(t, "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0-rc1"), true, "2.15.0"},
		{"maven == fixed", maven, comp(t, "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"), false, ""},
		{"maven == introduced qualifier", maven, comp(t, "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9"), true, "2.15.0"},
		{"maven below introduced", maven, comp(t, "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta8"), false, ""},
		{"crates numeric not lexical", crates, comp(t, "pkg:cargo/smallvec@0.10.0"), true, "0.10.2"},
		{"crates == fixed", crates, comp(t, "pkg:cargo/smallvec@0.10.2"), false, ""},
		{"generic purl, letter suffix", generic, comp(t, "pkg:generic/openssl@1.0.2k"), true, "1.0.2l"},
		{"generic purl == fixed", generic, comp(t, "pkg:generic/openssl@1.0.2l"), false, ""},
		{"generic purl of another type", generic, comp(t, "pkg:github/openssl@1.0.2k"), false, ""},
		{"multiple ranges: second", multi, comp(t, "pkg:npm/multi@2.1.0"), true, "2.1.7"},
		{"multiple ranges: between", multi, comp(t, "pkg:npm/multi@1.9.0"), false, ""},
		{"unsorted events: second branch", unsorted, comp(t, "pkg:npm/unsorted@2.1.0"), true, "2.3.0"},
		{"unsorted events: between", unsorted, comp(t, "pkg:npm/unsorted@1.7.0"), false, ""},
		{"unsorted events: first branch", unsorted, comp(t, "pkg:npm/unsorted@1.0.0"), true, "1.5.0"},
		{"versions list, normalised", listed, comp(t, "pkg:pypi/listed@1.0"), true, ""},
		{"versions list, not listed", listed, comp(t, "pkg:pypi/listed@1.2"), false, ""},
		{"git: introduced commit", git, comp(t, "pkg:generic/lib@"+commitA), true, ""},
		{"git: abbreviated introduced commit", git, comp(t, "pkg:generic/lib@"+commitA[:8]), true, ""},
		{"git: fixed commit", git, comp(t, "pkg:generic/lib@"+commitB), false, ""},
		{"git: listed commit", git, comp(t, "pkg:generic/lib@"+commitC), true, ""},
		{"git: unknown commit is not judged", git, comp(t, "pkg:generic/lib@0123456789abcdef0123456789abcdef01234567"), false, ""},
		{"git: limit commit", gitLimit, comp(t, "pkg:generic/lib@"+commitB), false, ""},
		{"git: introduced commit below a limit", gitLimit, comp(t, "pkg:generic/lib@"+commitA), true, ""},
		{"git: listed tag", git, comp(t, "pkg:generic/lib@v1.0.0"), true, ""},
		{"unparseable event: range skipped", badEvent, comp(t, "pkg:npm/badevent@1.0.0"), false, ""},
		{"withdrawn never matches", withdrawn, comp(t, "pkg:npm/lodash@4.17.20"), false, ""},
		{"other package", npm, comp(t, "pkg:npm/lodash-es@4.17.20"), false, ""},
		{"no version", npm, trustmark.SoftwareComponent{Name: "lodash", PURL: "pkg:npm/lodash", Ecosystem: "npm", Package: "lodash"}, false, ""},
		{"key without PURL", npm, trustmark.SoftwareComponent{Name: "lodash", Version: "4.0.0", Ecosystem: "npm", Package: "lodash"}, true, "4.17.21"},
		{"PURL without key fields", npm, trustmark.SoftwareComponent{Name: "lodash", PURL: "pkg:npm/lodash@4.0.0"}, true, "4.17.21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := vuln.Affects(tt.osv, tt.component)
			if ok != tt.want {
				t.Fatalf("Affects(%s, %s) = %v, want %v", tt.osv.ID, tt.component.PURL, ok, tt.want)
			}
			if !ok {
				return
			}
			if m.FixedVersion != tt.fixed {
				t.Errorf("FixedVersion = %q, want %q", m.FixedVersion, tt.fixed)
			}
			if m.Confidence != trustmark.ConfidencePURL || m.Advisory != tt.osv || m.Component != tt.component {
				t.Errorf("Match = %+v, want the advisory, the component and confidence purl", m)
			}
		})
	}
}

func TestAffectsCPE(t *testing.T) {
	mk := func(id string, dbSpecific string, affected ...vuln.Affected) *vuln.OSV {
		o := record(t, id, affected...)
		o.DatabaseSpecific = json.RawMessage(dbSpecific)
		return o
	}
	versions := mk("CVE-2022-0001", `{"cpes":["cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*","cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*"]}`)
	anyVersion := mk("CVE-2022-0002", `{"nvd":{"configurations":[{"criteria":"cpe:2.3:a:acme:camd:*:*:*:*:*:*:*:*"}]}}`)
	ranged := record(t, "CVE-2022-0003", vuln.Affected{
		Package:           &vuln.Package{Ecosystem: "OSS-Fuzz", Name: "lighttpd"},
		Ranges:            []vuln.Range{{Type: vuln.RangeEcosystem, Events: []vuln.Event{intro("1.4.0"), fixed("1.4.65")}}},
		EcosystemSpecific: json.RawMessage(`{"cpe":"cpe:/a:lighttpd:lighttpd"}`),
	})
	tests := []struct {
		name  string
		osv   *vuln.OSV
		c     trustmark.SoftwareComponent
		want  bool
		fixed string
	}{
		{"named version", versions, trustmark.SoftwareComponent{Name: "busybox", Version: "1.35.0", CPE: "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}, true, ""},
		{"version from the CPE", versions, trustmark.SoftwareComponent{Name: "busybox", CPE: "cpe:2.3:a:busybox:busybox:1.36.0:*:*:*:*:*:*:*"}, true, ""},
		{"other version", versions, trustmark.SoftwareComponent{Name: "busybox", Version: "1.36.1", CPE: "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"}, false, ""},
		{"other product", versions, trustmark.SoftwareComponent{Name: "toybox", Version: "1.35.0", CPE: "cpe:2.3:a:toybox:toybox:1.35.0:*:*:*:*:*:*:*"}, false, ""},
		{"no version at all", versions, trustmark.SoftwareComponent{Name: "busybox", CPE: "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}, false, ""},
		{"advisory names every version", anyVersion, trustmark.SoftwareComponent{Name: "camd", Version: "3.1", CPE: "cpe:2.3:a:acme:camd:3.1:*:*:*:*:*:*:*"}, true, ""},
		{"range, generic order", ranged, trustmark.SoftwareComponent{Name: "lighttpd", Version: "1.4.64", CPE: "cpe:2.3:a:lighttpd:lighttpd:1.4.64:*:*:*:*:*:*:*"}, true, "1.4.65"},
		{"range, == fixed", ranged, trustmark.SoftwareComponent{Name: "lighttpd", Version: "1.4.65", CPE: "cpe:2.3:a:lighttpd:lighttpd:1.4.65:*:*:*:*:*:*:*"}, false, ""},
		{"CPE 2.2 URI on the component", ranged, trustmark.SoftwareComponent{Name: "lighttpd", Version: "1.4.10", CPE: "cpe:/a:lighttpd:lighttpd:1.4.10"}, true, "1.4.65"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := vuln.AffectsCPE(tt.osv, tt.c)
			if ok != tt.want {
				t.Fatalf("AffectsCPE(%s, %s) = %v, want %v", tt.osv.ID, tt.c.CPE, ok, tt.want)
			}
			if ok && (m.FixedVersion != tt.fixed || m.Confidence != trustmark.ConfidenceCPE) {
				t.Errorf("Match = fixed %q confidence %q, want %q and cpe", m.FixedVersion, m.Confidence, tt.fixed)
			}
		})
	}
}
