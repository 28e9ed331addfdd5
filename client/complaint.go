package client

import (
	"context"
	"net/http"

	"trustmark"
)

// FileComplaint files a complaint about a labeled product (no token
// needed; contact, optional, is never made public) and routes it to the
// grant's CLA. The result holds only the ID, State and FiledAt the server
// returns. POST /api/v1/complaints. Errors: Invalid, NotFound, RateLimited.
func (c *Client) FileComplaint(ctx context.Context, labelID trustmark.LabelID, text, contact string) (*trustmark.Complaint, error) {
	in := struct {
		LabelID trustmark.LabelID `json:"label_id"`
		Text    string            `json:"text"`
		Contact string            `json:"contact"`
	}{labelID, text, contact}
	return one[trustmark.Complaint](ctx, c, http.MethodPost, apiPath("complaints"), in)
}

// Complaints lists complaints: a CLA those routed to it, a manufacturer
// those about its products (without contacts), the overseers all.
// GET /api/v1/complaints. Errors: Unauthenticated, Forbidden.
func (c *Client) Complaints(ctx context.Context) ([]trustmark.Complaint, error) {
	return list[trustmark.Complaint](ctx, c, apiPath("complaints"), nil)
}

// ActOnComplaint lets the complaint's current holder "refer" it onward
// (CLA → Lead Administrator → regulator), "close" it, or find it
// "justify"-ed (suspending the grant for cure), with a note saying why.
// POST /api/v1/complaints/{id}/action. Errors: Invalid, Unauthenticated,
// Forbidden, NotFound, Conflict.
func (c *Client) ActOnComplaint(ctx context.Context, id, action, note string) (*trustmark.Complaint, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	in := struct {
		Action string `json:"action"`
		Note   string `json:"note"`
	}{action, note}
	return one[trustmark.Complaint](ctx, c, http.MethodPost, apiPath("complaints", id, "action"), in)
}
