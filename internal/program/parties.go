package program

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"time"

	"trustmark"
)

// Init creates the Lead Administrator and its first admin token, the one
// way into a new installation. It fails with KindConflict when a Lead
// Administrator exists.
func (p *Program) Init(ctx context.Context, org trustmark.Organization, holder string) (*trustmark.Organization, string, error) {
	org.Kind = trustmark.OrgLeadAdministrator
	var secret string
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		existing, err := p.store.ListOrganizations(ctx, trustmark.OrgLeadAdministrator)
		if err != nil {
			return err
		}
		if len(existing) > 0 {
			return trustmark.Errorf(trustmark.KindConflict, "already initialized: the Lead Administrator %q exists", existing[0].Name)
		}
		now := p.Now()
		org.CreatedAt = now
		if err := tx.CreateOrganization(&org); err != nil {
			if trustmark.IsKind(err, trustmark.KindConflict) {
				// The store allows one Lead Administrator: a concurrent init won.
				return trustmark.Errorf(trustmark.KindConflict, "already initialized: a Lead Administrator exists")
			}
			return err
		}
		var tok *trustmark.Token
		if tok, secret, err = newToken(tx, org.ID, holder, trustmark.RoleAdmin, "init", now); err != nil {
			return err
		}
		pr := &trustmark.Principal{Org: org, Token: *tok}
		return audit(tx, pr, now, "program.init", "organization/"+org.ID, "", string(org.Kind), org.Name)
	})
	if err != nil {
		return nil, "", err
	}
	return &org, secret, nil
}

// newToken creates a token and returns it with its secret.
func newToken(tx trustmark.Tx, orgID, holder string, role trustmark.Role, createdBy string, now time.Time) (*trustmark.Token, string, error) {
	secret, hash := trustmark.NewTokenSecret()
	tok := &trustmark.Token{OrgID: orgID, Holder: holder, Role: role, Hash: hash, CreatedAt: now, CreatedBy: createdBy}
	if err := tx.CreateToken(tok); err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// Authenticate returns the principal a token secret stands for. Unknown,
// malformed and revoked tokens are KindUnauthenticated; the message never
// says which.
func (p *Program) Authenticate(ctx context.Context, secret string) (*trustmark.Principal, error) {
	bad := trustmark.Errorf(trustmark.KindUnauthenticated, "the API token is not valid (unknown or revoked)")
	if !trustmark.LooksLikeToken(secret) {
		return nil, bad
	}
	hash := trustmark.HashToken(secret)
	var pr *trustmark.Principal
	err := p.view(ctx, func(tx trustmark.Tx) error {
		tok, err := tx.TokenByHash(hash)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(tok.Hash, hash) != 1 || tok.RevokedAt != nil {
			return bad
		}
		org, err := tx.Organization(tok.OrgID)
		if err != nil {
			return err
		}
		pr = &trustmark.Principal{Org: *org, Token: *tok}
		return nil
	})
	if trustmark.IsKind(err, trustmark.KindNotFound) {
		return nil, bad
	}
	return pr, err
}

// OperatorToken creates a token for any organization on the authority of
// whoever runs the trustmark binary against the store (its operator), for
// bootstrapping demo data or recovering a lost admin token. It is audited
// as an operator action.
func (p *Program) OperatorToken(ctx context.Context, orgID, holder string, role trustmark.Role) (*trustmark.Token, string, error) {
	if err := checkHolder(holder); err != nil {
		return nil, "", err
	}
	if !role.Valid() {
		return nil, "", trustmark.FieldError("role", "must be admin, member or viewer")
	}
	var tok *trustmark.Token
	var secret string
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		org, err := tx.Organization(orgID)
		if err != nil {
			return err
		}
		now := p.Now()
		if tok, secret, err = newToken(tx, org.ID, holder, role, "operator", now); err != nil {
			return err
		}
		op := &trustmark.Principal{Org: trustmark.Organization{Name: "operator"}, Token: trustmark.Token{Holder: "trustmark admin token"}}
		return audit(tx, op, now, "token.create", "token/"+tok.ID, "", string(role), holder+" for "+org.Name)
	})
	return tok, secret, err
}

// mayCreate says which kinds of organization each kind may create: the Lead
// Administrator creates every other party; a CLA onboards manufacturers.
var mayCreate = map[trustmark.OrgKind][]trustmark.OrgKind{
	trustmark.OrgLeadAdministrator: {trustmark.OrgRegulator, trustmark.OrgCLA, trustmark.OrgLab, trustmark.OrgManufacturer},
	trustmark.OrgCLA:               {trustmark.OrgManufacturer},
}

// CreateOrganization creates an organization and its first admin token for
// holder, returning the token's secret (shown once). Who: an admin of the
// Lead Administrator (any kind but another Lead Administrator) or of a CLA
// (manufacturers only).
func (p *Program) CreateOrganization(ctx context.Context, pr *trustmark.Principal, o trustmark.Organization, holder string) (*trustmark.Organization, string, error) {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgLeadAdministrator, trustmark.OrgCLA); err != nil {
		return nil, "", err
	}
	if !o.Kind.Valid() {
		return nil, "", trustmark.FieldError("kind", "must be one of regulator, cla, lab or manufacturer; got %q", truncate(string(o.Kind), 30))
	}
	if !slices.Contains(mayCreate[pr.Org.Kind], o.Kind) {
		return nil, "", trustmark.Errorf(trustmark.KindForbidden, "a %s may not create a %q organization", pr.Org.Kind, truncate(string(o.Kind), 30))
	}
	if err := checkHolder(holder); err != nil {
		return nil, "", err
	}
	var secret string
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		o.ID, o.CreatedAt = "", now
		if err := tx.CreateOrganization(&o); err != nil {
			return err
		}
		var err error
		if _, secret, err = newToken(tx, o.ID, holder, trustmark.RoleAdmin, pr.Token.ID, now); err != nil {
			return err
		}
		return audit(tx, pr, now, "organization.create", "organization/"+o.ID, "", string(o.Kind), o.Name)
	})
	if err != nil {
		return nil, "", err
	}
	return &o, secret, nil
}

// Organization returns one organization (anyone may read the parties).
func (p *Program) Organization(ctx context.Context, id string) (*trustmark.Organization, error) {
	return p.store.Organization(ctx, id)
}

// Organizations lists organizations of one kind ("" for all). Who: the
// overseers see every kind; others see the public directories' kinds.
func (p *Program) Organizations(ctx context.Context, pr *trustmark.Principal, kind trustmark.OrgKind) ([]trustmark.Organization, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	if kind != "" && !kind.Valid() {
		return nil, trustmark.FieldError("kind", "must be one of regulator, lead_administrator, cla, lab, manufacturer")
	}
	if !overseer(pr) && kind != trustmark.OrgCLA && kind != trustmark.OrgLab {
		return nil, trustmark.Errorf(trustmark.KindForbidden, "only the Lead Administrator and the regulator list every organization; others may list kind=cla or kind=lab")
	}
	return p.store.ListOrganizations(ctx, kind)
}

func checkHolder(holder string) error {
	if strings.TrimSpace(holder) == "" || len(holder) > 200 {
		return trustmark.FieldError("holder", "name the person who will use the token (1 to 200 characters)")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// CreateToken makes a new token for the caller's own organization, with a
// role no higher than the caller's. Who: an admin of any organization.
func (p *Program) CreateToken(ctx context.Context, pr *trustmark.Principal, holder string, role trustmark.Role) (*trustmark.Token, string, error) {
	if err := need(pr, trustmark.RoleAdmin); err != nil {
		return nil, "", err
	}
	if !role.Valid() {
		return nil, "", trustmark.FieldError("role", "must be admin, member or viewer")
	}
	if err := checkHolder(holder); err != nil {
		return nil, "", err
	}
	var tok *trustmark.Token
	var secret string
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		var err error
		if tok, secret, err = newToken(tx, pr.Org.ID, holder, role, pr.Token.ID, now); err != nil {
			return err
		}
		return audit(tx, pr, now, "token.create", "token/"+tok.ID, "", string(role), holder)
	})
	return tok, secret, err
}

// Tokens lists the caller's organization's tokens (never their secrets).
// Who: an admin.
func (p *Program) Tokens(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Token, error) {
	if err := need(pr, trustmark.RoleAdmin); err != nil {
		return nil, err
	}
	var out []trustmark.Token
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Tokens(pr.Org.ID)
		return err
	})
	return out, err
}

// RevokeToken revokes a token of the caller's organization. Who: an admin
// of that organization, or the token's own holder revoking it.
func (p *Program) RevokeToken(ctx context.Context, pr *trustmark.Principal, id string) error {
	if err := needAuth(pr); err != nil {
		return err
	}
	return p.transact(ctx, func(tx trustmark.Tx) error {
		tok, err := tx.Token(id)
		if err != nil || tok.OrgID != pr.Org.ID {
			return notFound("token", id)
		}
		if pr.Token.ID != id && !pr.Token.Role.AtLeast(trustmark.RoleAdmin) {
			return trustmark.Errorf(trustmark.KindForbidden, "only an admin may revoke another person's token")
		}
		if tok.RevokedAt != nil {
			return nil // already revoked: nothing changes, nothing to audit
		}
		now := p.Now()
		if err := tx.RevokeToken(id, now); err != nil {
			return err
		}
		return audit(tx, pr, now, "token.revoke", "token/"+id, "active", "revoked", tok.Holder)
	})
}
