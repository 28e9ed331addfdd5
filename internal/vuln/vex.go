package vuln

import (
	"strings"

	"trustmark"
)

// Suppressed applies a product's VEX statements to a match and returns the
// statement that suppresses it, if any.
//
// A statement applies to the match when:
//   - its VulnID equals, ignoring case, the advisory's ID, one of its
//     aliases or one of its upstream IDs (a Debian record derived from a
//     CVE is suppressed by a statement about the CVE); and
//   - it has no ComponentPURL (it is about the whole product), or its
//     ComponentPURL names the component's package: the same type,
//     namespace and name after normalisation, qualifiers and subpath
//     ignored (a statement about pkg:deb/debian/openssl applies whatever
//     the arch or distro qualifiers); when the statement's PURL has a
//     version it must equal the component's version (as a string or by
//     the ecosystem's ordering), so a statement about lodash@4.17.20 does
//     not cover lodash@4.17.21. A component without a PURL is covered only
//     by statements without a ComponentPURL.
//
// Later statements override earlier ones, as in OpenVEX: of the applicable
// statements, the one with the latest At wins (for equal times, the later
// in the list). The match is suppressed when that statement's status is
// not_affected or fixed; a later affected or under_investigation statement
// re-opens it.
func Suppressed(m Match, statements []trustmark.VEXStatement) (*trustmark.VEXStatement, bool) {
	var ids []string
	if m.Advisory != nil {
		ids = append(append(append(ids, m.Advisory.ID), m.Advisory.Aliases...), m.Advisory.Upstream...)
	}
	var compBase purlBase
	var compVersion, compEco string
	compHasPURL := false
	if m.Component.PURL != "" {
		if b, v, ok := parsePURLBase(m.Component.PURL); ok {
			compBase, compVersion, compHasPURL = b, v, true
			if m.Component.Version != "" {
				compVersion = m.Component.Version
			}
			if _, k, _, err := ParsePURL(m.Component.PURL); err == nil {
				compEco = k.Ecosystem
			}
		}
	}
	var winner *trustmark.VEXStatement
	for i := range statements {
		s := &statements[i]
		if !idIn(s.VulnID, ids) {
			continue
		}
		if s.ComponentPURL != "" {
			if !compHasPURL {
				continue
			}
			b, v, ok := parsePURLBase(s.ComponentPURL)
			if !ok || b != compBase {
				continue
			}
			if v != "" && v != compVersion {
				if n, err := Compare(compEco, v, compVersion); err != nil || n != 0 {
					continue
				}
			}
		}
		if winner == nil || !s.At.Before(winner.At) {
			winner = s
		}
	}
	if winner == nil || !winner.Status.Suppresses() {
		return nil, false
	}
	return winner, true
}

func idIn(id string, ids []string) bool {
	id = strings.TrimSpace(id)
	for _, x := range ids {
		if id != "" && strings.EqualFold(id, x) {
			return true
		}
	}
	return false
}
