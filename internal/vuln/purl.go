package vuln

import (
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"

	"trustmark"
)

// ParsePURL normalises a package URL (purl-spec) and derives the OSV
// package key and the version used for matching. canonical is the
// normalised package URL with its version, qualifiers (sorted) and subpath.
//
// Types and the OSV ecosystems they map to:
//
//	npm       "npm"        name "@scope/name"
//	pypi      "PyPI"       name normalised per PEP 503 ("Foo_Bar" -> "foo-bar")
//	golang    "Go"         name "namespace/name" (module path, lower case)
//	maven     "Maven"      name "group:artifact"
//	cargo     "crates.io"
//	gem       "RubyGems"
//	nuget     "NuGet"      name in lower case
//	composer  "Packagist"  name "vendor/name"
//	hex, pub, cran, hackage, bitnami: "Hex", "Pub", "CRAN", "Hackage", "Bitnami"
//	deb       "Debian" or "Ubuntu" (namespace debian or ubuntu), with the
//	          release from the distro qualifier: "debian-12", "debian-12.5",
//	          "12" and "bookworm" give "Debian:12"; "ubuntu-22.04" and "jammy"
//	          give "Ubuntu:22.04". Without a (recognised) distro: "Debian".
//	apk       "Alpine" (namespace alpine) with the release from the distro
//	          qualifier ("alpine-3.19.1", "3.19" or "v3.19" give
//	          "Alpine:v3.19"), "Wolfi", "Chainguard".
//
// For deb and apk the "upstream" qualifier, when present, names the source
// package ("openssl" or "openssl@3.0.11-1"), which is what Debian and Alpine
// advisories are about, and becomes the key's name.
//
// Every other type (generic, rpm, github, docker, deb or apk of another
// distribution...) gives key.Ecosystem "" and key.Name "namespace/name":
// OSV has no ecosystem for them, and components of such types are matched
// only against advisory entries whose package URL has the same type,
// namespace and name (see the package documentation). Note that a
// [trustmark.SoftwareComponent] carries an ecosystem and a package both or
// neither: leave both empty for these.
//
// Errors: a *trustmark.Error of KindInvalid naming the package URL and what
// is wrong with it.
func ParsePURL(purl string) (canonical string, key trustmark.PackageKey, version string, err error) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return "", trustmark.PackageKey{}, "", trustmark.Errorf(trustmark.KindInvalid, "%q is not a valid package URL: %v", purl, err)
	}
	if len(p.Qualifiers) == 0 {
		p.Qualifiers = nil
	}
	return p.ToString(), keyOf(p), p.Version, nil
}

// PURLKeyPrefix marks the index key of a package whose package URL type OSV
// has no ecosystem for (pkg:generic, pkg:rpm, pkg:github, …): the key
// {"purl:generic", "acme/camera-sdk"} lets a store find, by the same index
// as ecosystem packages, the advisories whose affected entries name that
// package URL. Matching treats such a key as the package URL's type and
// name, with the generic version ordering.
const PURLKeyPrefix = "purl:"

// PURLIndexKey returns the index key of a package URL of a type OSV has no
// ecosystem for; false for other types and for invalid package URLs.
func PURLIndexKey(purl string) (trustmark.PackageKey, bool) {
	p, err := packageurl.FromString(purl)
	if err != nil || keyOf(p).Ecosystem != "" {
		return trustmark.PackageKey{}, false
	}
	return trustmark.PackageKey{Ecosystem: PURLKeyPrefix + p.Type, Name: joinName(p.Namespace, p.Name, "/")}, true
}

// purlBase is a package URL without version, qualifiers and subpath: the
// identity of a package for types OSV has no ecosystem for.
type purlBase struct{ typ, name string }

func parsePURLBase(purl string) (purlBase, string, bool) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return purlBase{}, "", false
	}
	return purlBase{p.Type, joinName(p.Namespace, p.Name, "/")}, p.Version, true
}

func joinName(namespace, name, sep string) string {
	if namespace == "" {
		return name
	}
	return namespace + sep + name
}

// keyOf derives the OSV key of a parsed package URL.
func keyOf(p packageurl.PackageURL) trustmark.PackageKey {
	q := p.Qualifiers.Map()
	eco, name := "", joinName(p.Namespace, p.Name, "/")
	switch p.Type {
	case packageurl.TypeNPM:
		eco = "npm"
	case packageurl.TypePyPi:
		eco = "PyPI"
	case packageurl.TypeGolang:
		eco = "Go"
	case packageurl.TypeMaven:
		eco, name = "Maven", joinName(p.Namespace, p.Name, ":")
	case packageurl.TypeCargo:
		eco = "crates.io"
	case packageurl.TypeGem:
		eco = "RubyGems"
	case packageurl.TypeNuget:
		eco = "NuGet"
	case packageurl.TypeComposer:
		eco = "Packagist"
	case packageurl.TypeHex:
		eco = "Hex"
	case packageurl.TypePub:
		eco = "Pub"
	case packageurl.TypeCran:
		eco = "CRAN"
	case packageurl.TypeHackage:
		eco = "Hackage"
	case packageurl.TypeBitnami:
		eco = "Bitnami"
	case packageurl.TypeDebian:
		name = upstreamName(q["upstream"], p.Name)
		switch strings.ToLower(p.Namespace) {
		case "debian":
			eco = "Debian" + debianRelease(q["distro"])
		case "ubuntu":
			eco = "Ubuntu" + ubuntuRelease(q["distro"])
		}
	case packageurl.TypeApk:
		name = upstreamName(q["upstream"], p.Name)
		switch strings.ToLower(p.Namespace) {
		case "alpine":
			eco = "Alpine" + alpineRelease(q["distro"])
		case "wolfi":
			eco = "Wolfi"
		case "chainguard":
			eco = "Chainguard"
		}
	}
	if eco == "" {
		return trustmark.PackageKey{Name: name}
	}
	return NormalizeKey(trustmark.PackageKey{Ecosystem: eco, Name: name})
}

// upstreamName returns the source package named by an "upstream"
// qualifier ("openssl" or "openssl@3.0.11-1"), or name without one.
func upstreamName(upstream, name string) string {
	if u, _, _ := strings.Cut(upstream, "@"); u != "" {
		return strings.TrimSpace(u)
	}
	return name
}

var (
	debianCodenames = map[string]string{
		"hamm": "2", "slink": "2.1", "potato": "2.2", "woody": "3.0", "sarge": "3.1", "etch": "4",
		"lenny": "5", "squeeze": "6", "wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10",
		"bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
	}
	ubuntuCodenames = map[string]string{
		"trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04",
		"kinetic": "22.10", "lunar": "23.04", "mantic": "23.10", "noble": "24.04", "oracular": "24.10",
		"plucky": "25.04", "questing": "25.10",
	}
	releaseNumber = regexp.MustCompile(`^v?([0-9]+)(?:\.([0-9]+))?`)
)

// debianRelease maps a distro qualifier to ":<major>" ("" if unknown).
func debianRelease(distro string) string {
	d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(distro)), "debian-")
	if n, ok := debianCodenames[d]; ok {
		return ":" + n
	}
	if m := releaseNumber.FindStringSubmatch(d); m != nil {
		return ":" + m[1]
	}
	return ""
}

// ubuntuRelease maps a distro qualifier to ":<yy.mm>" ("" if unknown).
func ubuntuRelease(distro string) string {
	d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(distro)), "ubuntu-")
	if n, ok := ubuntuCodenames[d]; ok {
		return ":" + n
	}
	if m := releaseNumber.FindStringSubmatch(d); m != nil && m[2] != "" {
		return ":" + m[1] + "." + m[2]
	}
	return ""
}

// alpineRelease maps a distro qualifier to ":v<major>.<minor>" ("" if unknown).
func alpineRelease(distro string) string {
	d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(distro)), "alpine-")
	if m := releaseNumber.FindStringSubmatch(d); m != nil && m[2] != "" {
		return ":v" + m[1] + "." + m[2]
	}
	return ""
}

// canonicalEcosystems spells the OSV ecosystems' names as OSV does, keyed
// by their lower case.
var canonicalEcosystems = func() map[string]string {
	m := map[string]string{}
	for _, e := range []string{
		"AlmaLinux", "Alpaquita", "Alpine", "Android", "Bioconductor", "Bitnami", "Chainguard",
		"ConanCenter", "CRAN", "crates.io", "Debian", "GHC", "GitHub Actions", "Go", "Hackage",
		"Hex", "Julia", "Linux", "Mageia", "Maven", "MinimOS", "npm", "NuGet", "openEuler",
		"openSUSE", "OSS-Fuzz", "Packagist", "Photon OS", "Pub", "PyPI", "Red Hat", "Rocky Linux",
		"RubyGems", "SUSE", "SwiftURL", "Ubuntu", "Wolfi",
	} {
		m[strings.ToLower(e)] = e
	}
	return m
}()

// knownEcosystem reports whether the base of an ecosystem is one OSV defines.
func knownEcosystem(ecosystem string) bool {
	base, _, _ := strings.Cut(ecosystem, ":")
	_, ok := canonicalEcosystems[strings.ToLower(base)]
	return ok
}

var (
	pep503Separators = regexp.MustCompile(`[-_.]+`)
	ubuntuVersion    = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
)

// NormalizeKey spells a package key the way matching compares keys: the
// ecosystem's base as OSV spells it, its release kept as given except for
// Ubuntu, whose OSV releases are reduced to the version ("Ubuntu:22.04:LTS"
// and "Ubuntu:Pro:22.04:LTS" become "Ubuntu:22.04", as a deb package URL's
// distro qualifier gives it); and the name normalised per ecosystem: PyPI
// per PEP 503 (lower case, runs of "-", "_" and "." become "-"); Go, NuGet,
// Packagist, Debian, Ubuntu, Alpine, Wolfi and Chainguard in lower case
// (package URLs lower-case them); others unchanged. Both the advisory side
// ([OSV.Advisory]) and the component side ([ParsePURL]) use it, so equal
// keys mean the same package.
func NormalizeKey(k trustmark.PackageKey) trustmark.PackageKey {
	eco := strings.TrimSpace(k.Ecosystem)
	base, release, hasRelease := strings.Cut(eco, ":")
	if c, ok := canonicalEcosystems[strings.ToLower(base)]; ok {
		base = c
	}
	if base == "Ubuntu" && hasRelease {
		// "22.04:LTS", "Pro:18.04:LTS", "Pro:FIPS-updates:20.04:LTS" -> "22.04" etc.
		for _, part := range strings.Split(release, ":") {
			if ubuntuVersion.MatchString(part) {
				release = part
				break
			}
		}
	}
	if hasRelease {
		eco = base + ":" + release
	} else {
		eco = base
	}
	name := strings.TrimSpace(k.Name)
	switch base {
	case "PyPI":
		name = pep503Separators.ReplaceAllString(strings.ToLower(name), "-")
	case "Go", "NuGet", "Packagist", "Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard":
		name = strings.ToLower(name)
	}
	return trustmark.PackageKey{Ecosystem: eco, Name: name}
}

// splitEcosystem returns a normalised ecosystem's base and release.
func splitEcosystem(ecosystem string) (base, release string) {
	base, release, _ = strings.Cut(ecosystem, ":")
	return base, release
}

// releasesMatch applies the release rule: equal, or one side without.
func releasesMatch(advisory, component string) bool {
	return advisory == "" || component == "" || advisory == component
}
