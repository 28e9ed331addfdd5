package program

import (
	"fmt"
	"strings"

	"trustmark"
)

// This file is the program's access policy in one place: what each kind of
// organization and role may do. Operations call these checks first.

// needAuth fails with KindUnauthenticated when there is no caller.
func needAuth(pr *trustmark.Principal) error {
	if pr == nil {
		return trustmark.Errorf(trustmark.KindUnauthenticated, "this needs an API token: send Authorization: Bearer <token>")
	}
	return nil
}

// need checks that the caller is authenticated, acts for one of kinds and
// has at least role min.
func need(pr *trustmark.Principal, min trustmark.Role, kinds ...trustmark.OrgKind) error {
	if err := needAuth(pr); err != nil {
		return err
	}
	if len(kinds) > 0 && !pr.Is(kinds...) {
		names := make([]string, len(kinds))
		for i, k := range kinds {
			names[i] = string(k)
		}
		return trustmark.Errorf(trustmark.KindForbidden, "only a %s may do this; you act for a %s", strings.Join(names, " or "), pr.Org.Kind)
	}
	if !pr.Token.Role.AtLeast(min) {
		return trustmark.Errorf(trustmark.KindForbidden, "this needs the %s role; your token has %s", min, pr.Token.Role)
	}
	return nil
}

// overseer reports whether the caller oversees the whole program (the Lead
// Administrator or the regulator) and may read everything.
func overseer(pr *trustmark.Principal) bool {
	return pr.Is(trustmark.OrgLeadAdministrator, trustmark.OrgRegulator)
}

// canSeeApplication reports whether the caller may read an application:
// its manufacturer, its CLA, its lab and the overseers.
func canSeeApplication(pr *trustmark.Principal, a *trustmark.Application) bool {
	if pr == nil {
		return false
	}
	id := pr.Org.ID
	return overseer(pr) || id == a.ManufacturerID || id == a.CLAID || id == a.LabID
}

// notFound hides the existence of things the caller may not see.
func notFound(what, id string) error {
	return trustmark.Errorf(trustmark.KindNotFound, "%s %q not found", what, id)
}

// ruleError reports a rule that forbids an action in the current state.
func ruleError(format string, args ...any) error {
	return &trustmark.Error{Kind: trustmark.KindRule, Message: fmt.Sprintf(format, args...)}
}

// stateError reports an action not allowed from the current state (409).
func stateError(format string, args ...any) error {
	return &trustmark.Error{Kind: trustmark.KindConflict, Message: fmt.Sprintf(format, args...)}
}
