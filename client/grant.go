package client

import (
	"context"
	"net/http"
	"time"

	"trustmark"
)

// GrantView is a grant as its parties see it, with its renewal due date,
// the same JSON as the server's program.GrantView.
type GrantView struct {
	trustmark.Grant
	// RenewalDue is when the grant must be renewed under its product class's
	// renewal policy; nil when no interval applies.
	RenewalDue *time.Time `json:"renewal_due,omitempty"`
	// Artwork links the label's print artwork, for the grant's manufacturer
	// and CLA while the grant is active; nil otherwise.
	Artwork *ArtworkLinks `json:"artwork,omitempty"`
}

// ArtworkLinks are the paths, on the server, of a label's print artwork
// (GET /api/v1/labels/{label_id}/artwork.{svg,pdf,png}), the same JSON as
// the server's program.ArtworkLinks.
type ArtworkLinks struct {
	SVG string `json:"svg"`
	PDF string `json:"pdf"`
	PNG string `json:"png"`
}

// Grants lists the grants the caller is party to (the overseers: all), in
// one status ("" for all). Who: manufacturers, CLAs, overseers.
// GET /api/v1/grants?status=. Errors: Unauthenticated, Forbidden (labs).
func (c *Client) Grants(ctx context.Context, status trustmark.GrantStatus) ([]trustmark.Grant, error) {
	return list[trustmark.Grant](ctx, c, apiPath("grants"), queryOf("status", string(status)))
}

// Grant returns one grant. Who: its parties, the overseers (the public
// reads RegistryRecord instead). GET /api/v1/grants/{label_id}. Errors:
// Invalid (malformed label ID), Unauthenticated, NotFound.
func (c *Client) Grant(ctx context.Context, id trustmark.LabelID) (*GrantView, error) {
	if err := need(string(id)); err != nil {
		return nil, err
	}
	return one[GrantView](ctx, c, http.MethodGet, apiPath("grants", string(id)), nil)
}

// UpdateDisclosures replaces a grant's registry disclosures and returns the
// updated record; the support date may move later, never earlier. Who: the
// grant's manufacturer. PUT /api/v1/grants/{label_id}/disclosures. Errors:
// Invalid, Unauthenticated, Forbidden, NotFound, Conflict (final status),
// RuleViolation (support date shortened).
func (c *Client) UpdateDisclosures(ctx context.Context, id trustmark.LabelID, d trustmark.Disclosures) (*trustmark.RegistryRecord, error) {
	if err := need(string(id)); err != nil {
		return nil, err
	}
	return one[trustmark.RegistryRecord](ctx, c, http.MethodPut, apiPath("grants", string(id), "disclosures"), d)
}

// ChangeStatus moves a grant to a new status with a written reason:
// suspended, active (cure), withdrawn (CLA or regulator); terminated,
// set_aside (regulator); surrendered (the manufacturer).
// POST /api/v1/grants/{label_id}/status. Errors: Invalid, Unauthenticated,
// Forbidden, NotFound, Conflict (not allowed from the current status).
func (c *Client) ChangeStatus(ctx context.Context, id trustmark.LabelID, status trustmark.GrantStatus, reason string) (*trustmark.Grant, error) {
	if err := need(string(id)); err != nil {
		return nil, err
	}
	in := struct {
		Status trustmark.GrantStatus `json:"status"`
		Reason string                `json:"reason"`
	}{status, reason}
	return one[trustmark.Grant](ctx, c, http.MethodPost, apiPath("grants", string(id), "status"), in)
}

// Sweep applies the program's clocks now (terminating grants whose cure
// period has ended) and returns the label IDs it changed. Who: the
// overseers. POST /api/v1/sweep. Errors: Unauthenticated, Forbidden.
func (c *Client) Sweep(ctx context.Context) ([]trustmark.LabelID, error) {
	var out struct {
		Terminated []trustmark.LabelID `json:"terminated"`
	}
	if err := c.do(ctx, http.MethodPost, apiPath("sweep"), nil, nil, &out); err != nil {
		return nil, err
	}
	if out.Terminated == nil {
		out.Terminated = []trustmark.LabelID{}
	}
	return out.Terminated, nil
}
