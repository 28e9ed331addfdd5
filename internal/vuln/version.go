package vuln

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	goversion "github.com/hashicorp/go-version"
)

// maxVersionLen bounds the versions compared; longer strings are refused.
const maxVersionLen = 256

// ErrVersion is wrapped by every error about a version that cannot be
// parsed in its ecosystem.
var ErrVersion = errors.New("invalid version")

// Compare orders two versions in an OSV ecosystem and returns -1, 0 or +1.
// The ecosystem may carry a release ("Debian:12"); only its base counts.
//
// Ecosystems with their own semantics, through osv-scalibr's semantic
// package: Debian and Ubuntu (epochs, "~" sorting before everything), Alpine
// (letters, _rc/_p suffixes, -rN revisions), npm, crates.io and Go (semver
// 2.0 with prereleases; Go's "v" prefix and "+incompatible" build suffix are
// ignored), PyPI (PEP 440: epochs, pre-, post- and dev-releases, "1.0" ==
// "1.0.0"), Maven (qualifiers such as alpha < beta < rc < snapshot < ""),
// NuGet, RubyGems, Packagist, Hex, Pub, CRAN, Hackage and the RPM-based
// distributions. Versions those libraries would accept only by guessing
// (a Debian version not starting with a digit, a PyPI version that is not
// PEP 440, an npm version not starting with a number) are an error wrapping
// [ErrVersion].
//
// Any other ecosystem (including "") uses the generic ordering: see
// [CompareGeneric].
func Compare(ecosystem, a, b string) (int, error) {
	o := orderingOf(ecosystem)
	va, err := o.parse(a)
	if err != nil {
		return 0, err
	}
	vb, err := o.parse(b)
	if err != nil {
		return 0, err
	}
	return va.compare(vb), nil
}

// CompareGeneric orders two versions that belong to no known ecosystem, such
// as firmware or C library versions from a generic package URL or a CPE.
// When both are of the dotted-numeric form with an optional "-prerelease"
// and "+build" ("1.2", "v2.0.0-rc1"), hashicorp/go-version decides ("1.0" ==
// "1.0.0", prereleases sort first). Otherwise, so that OpenSSL's "1.0.2k"
// is later than "1.0.2" (go-version would call the letter a prerelease),
// the strings are compared by runs: runs of digits numerically, runs of
// letters or separators byte-wise, a number after letters ("1.0.1" >
// "1.0.beta"), a string that runs out first being smaller.
func CompareGeneric(a, b string) (int, error) {
	va, err := parseGeneric(a)
	if err != nil {
		return 0, err
	}
	vb, err := parseGeneric(b)
	if err != nil {
		return 0, err
	}
	return va.compare(vb), nil
}

// version is a parsed version that compares with others of its ordering.
type version interface {
	compare(other version) int
}

// ordering parses versions of one ordering (an ecosystem, semver or generic).
type ordering struct {
	name  string // the ecosystem's base, "SEMVER" or "" for generic
	parse func(string) (version, error)
}

// orderingOf returns the ordering of an OSV ecosystem.
func orderingOf(ecosystem string) ordering {
	base, _, _ := strings.Cut(ecosystem, ":")
	switch base {
	case "npm", "crates.io", "Go", "Hex", "Pub", "SwiftURL", "Bitnami", "ConanCenter", "GHC", "Julia", "Bioconductor":
		return ordering{base, func(s string) (version, error) { return parseSemverLike(base, s) }}
	case "Debian", "Ubuntu":
		return ordering{base, func(s string) (version, error) { return parseScalibr(base, s, debianVersion) }}
	case "Alpine", "Wolfi", "Chainguard", "Alpaquita", "MinimOS":
		return ordering{base, func(s string) (version, error) { return parseScalibr(base, s, alpineVersion) }}
	case "PyPI":
		return ordering{base, func(s string) (version, error) { return parseScalibr(base, s, pep440Version) }}
	case "Maven", "NuGet", "RubyGems", "Packagist", "CRAN", "Hackage",
		"Red Hat", "AlmaLinux", "Rocky Linux", "openSUSE", "SUSE", "Mageia", "openEuler":
		return ordering{base, func(s string) (version, error) { return parseScalibr(base, s, tokenVersion) }}
	}
	return ordering{"", parseGeneric}
}

// semverOrdering is the ordering of OSV SEMVER ranges, whatever the ecosystem.
var semverOrdering = ordering{"SEMVER", func(s string) (version, error) { return parseSemverLike("SEMVER", s) }}

// The shapes each ecosystem's versions must have before the lenient
// parsers see them.
var (
	// semverLike: digits first, after an optional "v".
	semverLikeVersion = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*([-+~._]?[0-9A-Za-z][0-9A-Za-z.+~_-]*)?$`)
	// Debian policy §5.6.12: [epoch:]upstream[-revision], upstream starting with a digit.
	debianVersion = regexp.MustCompile(`^([0-9]+:)?[0-9][0-9A-Za-z.+~:-]*$`)
	alpineVersion = regexp.MustCompile(`^[0-9][0-9A-Za-z._~-]*$`)
	// PEP 440 appendix B, the canonical regular expression.
	pep440Version = regexp.MustCompile(`(?i)^v?(?:(?:[0-9]+)!)?(?:[0-9]+(?:\.[0-9]+)*)(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?:[0-9]+)?)?(?:(?:-(?:[0-9]+))|(?:[-_.]?(?:post|rev|r)[-_.]?(?:[0-9]+)?))?(?:[-_.]?(?:dev)[-_.]?(?:[0-9]+)?)?(?:\+(?:[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$`)
	// tokenVersion: Maven, NuGet, RubyGems, Packagist and RPM versions are
	// free-form; they must at least start with a letter or digit.
	tokenVersion = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+~_:-]*$`)
)

// checkVersion refuses the empty, the overlong and the ill-shaped.
func checkVersion(ecosystem, s string, shape *regexp.Regexp) error {
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", ErrVersion)
	case len(s) > maxVersionLen:
		return fmt.Errorf("%w: longer than %d bytes", ErrVersion, maxVersionLen)
	case shape != nil && !shape.MatchString(s):
		return fmt.Errorf("%w: %q is not a valid %s version", ErrVersion, s, ecosystemName(ecosystem))
	}
	return nil
}

func ecosystemName(e string) string {
	if e == "" {
		return "generic"
	}
	return e
}

// scalibrVersion wraps a version of osv-scalibr's semantic package.
type scalibrVersion struct{ v semantic.Version }

func (a scalibrVersion) compare(o version) int {
	b, ok := o.(scalibrVersion)
	if !ok {
		return 0
	}
	n, _ := a.v.Compare(b.v) // same ecosystem by construction
	return n
}

func parseScalibr(ecosystem, s string, shape *regexp.Regexp) (version, error) {
	if err := checkVersion(ecosystem, s, shape); err != nil {
		return nil, err
	}
	v, err := semantic.Parse(s, ecosystem)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a valid %s version: %v", ErrVersion, s, ecosystem, err)
	}
	return scalibrVersion{v}, nil
}

func parseSemverLike(ecosystem, s string) (version, error) {
	if err := checkVersion(ecosystem, s, semverLikeVersion); err != nil {
		return nil, err
	}
	return scalibrVersion{semantic.ParseSemverVersion(s)}, nil
}

// genericVersion is a version of no known ecosystem.
type genericVersion struct {
	s string
	v *goversion.Version // nil unless the string is of go-version's dotted form
}

func (a genericVersion) compare(o version) int {
	b, ok := o.(genericVersion)
	if !ok {
		return 0
	}
	if a.v != nil && b.v != nil {
		return a.v.Compare(b.v)
	}
	return compareRuns(a.s, b.s)
}

// dottedVersion is the form go-version orders without surprises.
var dottedVersion = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z.~-]+)?(\+[0-9A-Za-z.~-]+)?$`)

func parseGeneric(s string) (version, error) {
	if err := checkVersion("", s, nil); err != nil {
		return nil, err
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return nil, fmt.Errorf("%w: %q contains white space or control characters", ErrVersion, s)
		}
	}
	g := genericVersion{s: s}
	if dottedVersion.MatchString(s) {
		if v, err := goversion.NewVersion(s); err == nil {
			g.v = v
		}
	}
	return g, nil
}

// compareRuns compares strings by runs of digits (numerically), of letters
// and of separators (byte-wise); a number sorts after letters.
func compareRuns(a, b string) int {
	for a != "" && b != "" {
		ra, restA := nextRun(a)
		rb, restB := nextRun(b)
		da, db := isDigit(ra[0]), isDigit(rb[0])
		var c int
		switch {
		case da && db:
			c = compareNumeric(ra, rb)
		case da:
			c = 1 // a number sorts after a letter run: "1.0.1" > "1.0.beta"
		case db:
			c = -1
		default:
			c = strings.Compare(ra, rb)
		}
		if c != 0 {
			return c
		}
		a, b = restA, restB
	}
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	}
	return 1
}

// nextRun splits off the leading run of digits, of letters or of other
// bytes (separators).
func nextRun(s string) (run, rest string) {
	class := func(c byte) int {
		switch {
		case isDigit(c):
			return 0
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			return 1
		}
		return 2
	}
	k := class(s[0])
	i := 1
	for i < len(s) && class(s[i]) == k {
		i++
	}
	return s[:i], s[i:]
}

func compareNumeric(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
