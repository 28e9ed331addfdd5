package client

import (
	"context"
	"net/http"

	"trustmark"
)

// PlanInput asks for a year's surveillance plan, the same JSON as the
// server's program.PlanInput. Share defaults to 5 %; a nil Seed is drawn at
// random by the server and recorded in the plan.
type PlanInput struct {
	Year  int     `json:"year"`
	Share float64 `json:"share,omitempty"`
	Seed  *uint64 `json:"seed,omitempty"`
}

// CreatePlan draws a CLA's post-market surveillance sample for a year from
// its active grants and asks each selected grantee for a sample. Who: a
// CLA. POST /api/v1/surveillance/plans. Errors: Invalid, Unauthenticated,
// Forbidden, Conflict.
func (c *Client) CreatePlan(ctx context.Context, in PlanInput) (*trustmark.SurveillancePlan, error) {
	return one[trustmark.SurveillancePlan](ctx, c, http.MethodPost, apiPath("surveillance", "plans"), in)
}

// Plans lists surveillance plans: a CLA its own (claID is ignored), the
// overseers those of claID. GET /api/v1/surveillance/plans?cla_id=.
// Errors: Invalid, Unauthenticated, Forbidden.
func (c *Client) Plans(ctx context.Context, claID string) ([]trustmark.SurveillancePlan, error) {
	return list[trustmark.SurveillancePlan](ctx, c, apiPath("surveillance", "plans"), queryOf("cla_id", claID))
}

// Samples lists surveillance samples: a CLA those it requested, a
// manufacturer those requested of it, the overseers all.
// GET /api/v1/surveillance/samples. Errors: Unauthenticated, Forbidden.
func (c *Client) Samples(ctx context.Context) ([]trustmark.Sample, error) {
	return list[trustmark.Sample](ctx, c, apiPath("surveillance", "samples"), nil)
}

// RecordSample records a sample's result; a failure (which needs findings)
// suspends the grant for cure. Who: the requesting CLA.
// POST /api/v1/surveillance/samples/{id}/result. Errors: Invalid,
// Unauthenticated, Forbidden, NotFound, Conflict.
func (c *Client) RecordSample(ctx context.Context, id string, passed bool, findings string) (*trustmark.Sample, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	in := struct {
		Passed   bool   `json:"passed"`
		Findings string `json:"findings"`
	}{passed, findings}
	return one[trustmark.Sample](ctx, c, http.MethodPost, apiPath("surveillance", "samples", id, "result"), in)
}
