package client

import (
	"context"
	"net/http"
	"time"

	"trustmark"
)

// Directory is the public list of label administrators and labs (GET
// /api/v1/directory), the same JSON as the server's program.Directory.
type Directory struct {
	CLAs          []trustmark.Organization  `json:"clas"`
	Labs          []DirectoryLab            `json:"recognized_labs"`
	WithdrawnLabs []DirectoryLab            `json:"withdrawn_labs"`
	RenewalPolicy []trustmark.RenewalPolicy `json:"renewal_policies"`
	GeneratedAt   time.Time                 `json:"generated_at"`
}

// DirectoryLab is a lab as the directory shows it: its recognition record
// with its name and public contact.
type DirectoryLab struct {
	trustmark.LabRecognition
	Name    string `json:"name"`
	Contact string `json:"contact"`
	// Expired is set when the accreditation's expiry date has passed.
	Expired bool `json:"accreditation_expired"`
}

// CreateOrganization creates an organization and its first admin token for
// holder (the person who will use it), and returns the organization and the
// token's secret, shown only this once. The Lead Administrator creates any
// kind but its own; a CLA creates manufacturers. POST /api/v1/organizations.
// Errors: Invalid, Unauthenticated, Forbidden.
func (c *Client) CreateOrganization(ctx context.Context, org trustmark.Organization, holder string) (*trustmark.Organization, string, error) {
	in := struct {
		Organization trustmark.Organization `json:"organization"`
		Holder       string                 `json:"holder"`
	}{org, holder}
	var out struct {
		Organization trustmark.Organization `json:"organization"`
		Token        string                 `json:"token"`
	}
	if err := c.do(ctx, http.MethodPost, apiPath("organizations"), nil, in, &out); err != nil {
		return nil, "", err
	}
	return &out.Organization, out.Token, nil
}

// Organizations lists the organizations of one kind ("" for all). The
// overseers may list every kind; others may list only CLAs and labs.
// GET /api/v1/organizations?kind=. Errors: Unauthenticated, Forbidden.
func (c *Client) Organizations(ctx context.Context, kind trustmark.OrgKind) ([]trustmark.Organization, error) {
	return list[trustmark.Organization](ctx, c, apiPath("organizations"), queryOf("kind", string(kind)))
}

// Organization returns one organization's public details (no token
// needed). GET /api/v1/organizations/{id}. Errors: NotFound.
func (c *Client) Organization(ctx context.Context, id string) (*trustmark.Organization, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Organization](ctx, c, http.MethodGet, apiPath("organizations", id), nil)
}

// CreateToken creates a token of the caller's organization for holder with
// role, and returns it with its secret, shown only this once. Who: an admin.
// POST /api/v1/tokens. Errors: Invalid, Unauthenticated, Forbidden.
func (c *Client) CreateToken(ctx context.Context, holder string, role trustmark.Role) (*trustmark.Token, string, error) {
	in := struct {
		Holder string         `json:"holder"`
		Role   trustmark.Role `json:"role"`
	}{holder, role}
	var out struct {
		Token  trustmark.Token `json:"token"`
		Secret string          `json:"secret"`
	}
	if err := c.do(ctx, http.MethodPost, apiPath("tokens"), nil, in, &out); err != nil {
		return nil, "", err
	}
	return &out.Token, out.Secret, nil
}

// Tokens lists the caller's organization's tokens, without secrets. Who: an
// admin. GET /api/v1/tokens. Errors: Unauthenticated, Forbidden.
func (c *Client) Tokens(ctx context.Context) ([]trustmark.Token, error) {
	return list[trustmark.Token](ctx, c, apiPath("tokens"), nil)
}

// RevokeToken revokes a token of the caller's organization. Who: an admin,
// or the token's own holder. DELETE /api/v1/tokens/{id}. Errors:
// Unauthenticated, Forbidden, NotFound.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	if err := need(id); err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, apiPath("tokens", id), nil, nil, nil)
}

// RecognizeLab records or renews the recognition of the lab organization
// orgID with its 47 CFR 8.217(e) record (rec.OrgID is ignored; the status
// and dates are set by the server). Who: the Lead Administrator.
// PUT /api/v1/labs/{org_id}. Errors: Invalid, Unauthenticated, Forbidden.
func (c *Client) RecognizeLab(ctx context.Context, orgID string, rec trustmark.LabRecognition) (*trustmark.LabRecognition, error) {
	if err := need(orgID); err != nil {
		return nil, err
	}
	rec.OrgID = orgID
	return one[trustmark.LabRecognition](ctx, c, http.MethodPut, apiPath("labs", orgID), rec)
}

// WithdrawLab withdraws a lab's recognition, with a written reason; the lab
// can no longer report. Who: the Lead Administrator.
// POST /api/v1/labs/{org_id}/withdraw. Errors: Invalid, Unauthenticated,
// Forbidden, NotFound, Conflict (already withdrawn).
func (c *Client) WithdrawLab(ctx context.Context, orgID, reason string) (*trustmark.LabRecognition, error) {
	if err := need(orgID); err != nil {
		return nil, err
	}
	return one[trustmark.LabRecognition](ctx, c, http.MethodPost, apiPath("labs", orgID, "withdraw"), reasonBody{reason})
}

// Directory returns the public directory of CLAs, recognized labs, labs
// that lost recognition and renewal policies (no token needed).
// GET /api/v1/directory.
func (c *Client) Directory(ctx context.Context) (*Directory, error) {
	return one[Directory](ctx, c, http.MethodGet, apiPath("directory"), nil)
}

// SetRenewalPolicy sets how often grants of a product class must be renewed,
// in months (0: only on significant change). Who: the Lead Administrator.
// PUT /api/v1/renewal-policies/{class}. Errors: Invalid, Unauthenticated,
// Forbidden.
func (c *Client) SetRenewalPolicy(ctx context.Context, class trustmark.ProductClass, intervalMonths int) (*trustmark.RenewalPolicy, error) {
	if err := need(string(class)); err != nil {
		return nil, err
	}
	in := map[string]int{"interval_months": intervalMonths}
	return one[trustmark.RenewalPolicy](ctx, c, http.MethodPut, apiPath("renewal-policies", string(class)), in)
}

// reasonBody is the body of actions that need a written reason.
type reasonBody struct {
	Reason string `json:"reason"`
}
