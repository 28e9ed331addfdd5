// Package vuln matches software components against vulnerability advisories
// in the OSV format (https://ossf.github.io/osv-schema/, schema 1.6).
//
// It holds the OSV record type and its validation ([ParseOSV]), the
// conversion to the stored [trustmark.Advisory] (severity from CVSS vectors,
// package keys, CPEs), a reader for OSV directories and the per-ecosystem
// zip archives OSV publishes ([Walk]), version ordering per ecosystem
// ([Compare]), the evaluation of one advisory against one component
// ([Affects], [AffectsCPE]), an in-memory matcher over many advisories
// ([Index]) and the application of VEX statements ([Suppressed]).
//
// # Matching rules
//
// A component is matched by its package key (OSV ecosystem and package name,
// derived from its package URL by [ParsePURL]) with the ecosystem's own
// version semantics; the confidence is [trustmark.ConfidencePURL]. A
// component without a key in an OSV ecosystem but with a CPE is matched by
// the CPE's vendor and product against the CPEs an advisory names, a
// separate class with [trustmark.ConfidenceCPE]. The rules that a reader
// needs to trust a match, or its absence:
//
//   - Keys: names are normalised the same way on both sides (PyPI per PEP 503;
//     Go, NuGet, Packagist, Debian, Ubuntu and Alpine names in lower case,
//     since package URLs lower-case them). Ecosystems compare by their base
//     ("Debian") and release ("12"): an advisory without a release matches
//     every release; a component without a release (a deb or apk package URL
//     without a distro qualifier) is checked against every release's
//     advisories, so name the release to avoid another release's fix
//     versions; otherwise the releases must be equal (Ubuntu's ":LTS" and
//     "Pro:" decorations are dropped by [NormalizeKey]). [OSV.Advisory]
//     lists each key with a release also without it, so a store's exact-key
//     lookup finds, for a component without a release, every release's
//     advisories; an advisory without a release (rare in OSV's Debian,
//     Ubuntu and Alpine data) is found for a component with one only by the
//     [Index] or [Affects], not by an exact-key lookup.
//   - Debian and Alpine packages are matched by their source package: the
//     package URL's "upstream" qualifier, when present, names it.
//   - A component without a version never matches; the caller can report it
//     as "version unknown".
//   - Withdrawn advisories never match.
//   - Ranges follow the OSV evaluation algorithm: events are sorted by
//     version ("introduced": "0" first); "introduced" and "last_affected" are
//     inclusive, "fixed" is exclusive; when a range has "limit" events the
//     version must also be below the greatest limit. A range with a version
//     that cannot be parsed in its ordering is skipped (no match from it)
//     rather than guessed.
//   - GIT ranges can only be evaluated without the repository's history when
//     the component's version is a commit hash (7 to 40 hex digits): it
//     matches when it is listed in the affected versions or equals (or is a
//     prefix of, or has as prefix) an "introduced" or "last_affected" commit,
//     and never when it equals a "fixed" or "limit" commit. Any other commit
//     is not judged (no match).
//   - Package URL types OSV does not know (generic, rpm, github, ...) have no
//     ecosystem; such a component matches advisory entries whose package has
//     a package URL of the same type, namespace and name, with generic
//     version ordering. Components and advisories carry such a package as
//     the index key {"purl:<type>", "<namespace>/<name>"} ([PURLIndexKey]),
//     so a store finds it like an ecosystem package; a CPE of such a
//     component is matched by CPE as well.
package vuln
