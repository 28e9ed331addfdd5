package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"

	"trustmark"
)

// ApplicationInput is what a manufacturer files (CreateApplication) or
// changes (UpdateApplication) on an application, the same JSON as the
// server's program.ApplicationInput. Nil fields are left unchanged on
// update; the product and CLA cannot change once filed.
type ApplicationInput struct {
	ProductID    string                   `json:"product_id,omitempty"`
	CLAID        string                   `json:"cla_id,omitempty"`
	LabID        string                   `json:"lab_id,omitempty"`
	USAgent      *trustmark.USAgent       `json:"us_agent,omitempty"`
	Disclosures  *trustmark.Disclosures   `json:"disclosures,omitempty"`
	PriorDenials *[]trustmark.PriorDenial `json:"prior_denials,omitempty"`
}

// Reports is an application's test reports with the verdict the current
// criteria give the latest report of its lab against the U.S. catalog
// (nil when there is none yet).
type Reports struct {
	Items   []trustmark.TestReport `json:"items"`
	Verdict *Result                `json:"verdict"`
}

// AllDeclarations returns every declaration clause an applicant must sign
// (trustmark.Declarations), for SignDeclarations.
func AllDeclarations() []trustmark.DeclarationClause {
	out := make([]trustmark.DeclarationClause, len(trustmark.Declarations))
	for i, d := range trustmark.Declarations {
		out[i] = d.Clause
	}
	return out
}

// CreateProduct stores a product of the caller's manufacturer (its ID,
// manufacturer and creation time are set by the server). Who: a
// manufacturer. POST /api/v1/products. Errors: Invalid, Unauthenticated,
// Forbidden.
func (c *Client) CreateProduct(ctx context.Context, p trustmark.Product) (*trustmark.Product, error) {
	return one[trustmark.Product](ctx, c, http.MethodPost, apiPath("products"), p)
}

// Products lists the caller's own products. Who: a manufacturer.
// GET /api/v1/products. Errors: Unauthenticated, Forbidden.
func (c *Client) Products(ctx context.Context) ([]trustmark.Product, error) {
	return list[trustmark.Product](ctx, c, apiPath("products"), nil)
}

// Product returns one product. Who: its manufacturer, the CLAs and labs of
// its applications, the overseers. GET /api/v1/products/{id}. Errors:
// Unauthenticated, NotFound.
func (c *Client) Product(ctx context.Context, id string) (*trustmark.Product, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Product](ctx, c, http.MethodGet, apiPath("products", id), nil)
}

// CreateApplication starts a draft application for one of the caller's
// products with a CLA, naming the recognized lab that tests it. Who: a
// manufacturer. POST /api/v1/applications. Errors: Invalid,
// Unauthenticated, Forbidden, RuleViolation (the lab may not report).
func (c *Client) CreateApplication(ctx context.Context, in ApplicationInput) (*trustmark.Application, error) {
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications"), in)
}

// Applications lists the applications the caller takes part in, in one
// state ("" for all). GET /api/v1/applications?state=. Errors:
// Unauthenticated.
func (c *Client) Applications(ctx context.Context, state trustmark.ApplicationState) ([]trustmark.Application, error) {
	return list[trustmark.Application](ctx, c, apiPath("applications"), queryOf("state", string(state)))
}

// Application returns one application. Who: its manufacturer, CLA and lab,
// the overseers. GET /api/v1/applications/{id}. Errors: Unauthenticated,
// NotFound.
func (c *Client) Application(ctx context.Context, id string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodGet, apiPath("applications", id), nil)
}

// UpdateApplication changes a draft, or an application the CLA asked more
// information on. Who: the applicant. PATCH /api/v1/applications/{id}.
// Errors: Invalid, Unauthenticated, Forbidden, NotFound, Conflict.
func (c *Client) UpdateApplication(ctx context.Context, id string, in ApplicationInput) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPatch, apiPath("applications", id), in)
}

// SignDeclarations signs declarations of 47 CFR 8.208(c) and (f) under
// penalty of perjury, in the name of the token's holder; AllDeclarations
// lists every clause. Who: the applicant.
// POST /api/v1/applications/{id}/declarations. Errors: Invalid,
// Unauthenticated, Forbidden, NotFound, Conflict.
func (c *Client) SignDeclarations(ctx context.Context, id string, clauses ...trustmark.DeclarationClause) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	in := struct {
		Clauses []trustmark.DeclarationClause `json:"clauses"`
	}{clauses}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "declarations"), in)
}

// Submit files a complete application with its CLA. Who: the applicant.
// POST /api/v1/applications/{id}/submit. Errors: Unauthenticated,
// Forbidden, NotFound, Conflict, RuleViolation (incomplete, support date
// past, an earlier denial not disclosed).
func (c *Client) Submit(ctx context.Context, id string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "submit"), nil)
}

// RequestInfo asks the applicant for more information within days (1 to
// 180); the application returns to the applicant. Who: the chosen CLA.
// POST /api/v1/applications/{id}/request-info. Errors: Invalid,
// Unauthenticated, Forbidden, NotFound, Conflict.
func (c *Client) RequestInfo(ctx context.Context, id, message string, days int) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	in := struct {
		Message string `json:"message"`
		Days    int    `json:"days"`
	}{message, days}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "request-info"), in)
}

// Decide records the CLA's written decision: trustmark.AppGranted (which
// issues the grant and its label ID, in Decision.LabelID),
// trustmark.AppDenied or trustmark.AppDismissed (both need reasons). Who:
// the chosen CLA. POST /api/v1/applications/{id}/decision. Errors:
// Invalid, Unauthenticated, Forbidden, NotFound, Conflict, RuleViolation
// (no passing test report).
func (c *Client) Decide(ctx context.Context, id string, outcome trustmark.ApplicationState, reasons string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "decision"), decisionBody{string(outcome), reasons})
}

// RequestReview asks the deciding CLA to review a denial or dismissal,
// within 60 days of it. Who: the applicant.
// POST /api/v1/applications/{id}/review. Errors: Invalid, Unauthenticated,
// Forbidden, NotFound, Conflict, RuleViolation.
func (c *Client) RequestReview(ctx context.Context, id, reason string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "review"), reasonBody{reason})
}

// Appeal takes an upheld CLA review to the Bureau, within 60 days of it.
// Who: the applicant. POST /api/v1/applications/{id}/appeal. Errors:
// Invalid, Unauthenticated, Forbidden, NotFound, Conflict, RuleViolation.
func (c *Client) Appeal(ctx context.Context, id, reason string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "appeal"), reasonBody{reason})
}

// DecideReview decides a pending review or appeal: outcome "upheld" keeps
// the decision, "reversed" grants the application. Who: the CLA for its
// review, the regulator for an appeal.
// POST /api/v1/applications/{id}/review-decision. Errors: Invalid,
// Unauthenticated, Forbidden, NotFound, Conflict, RuleViolation.
func (c *Client) DecideReview(ctx context.Context, id, outcome, reasons string) (*trustmark.Application, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Application](ctx, c, http.MethodPost, apiPath("applications", id, "review-decision"), decisionBody{outcome, reasons})
}

// decisionBody is the body of decisions: {"outcome", "reasons"}.
type decisionBody struct {
	Outcome string `json:"outcome"`
	Reasons string `json:"reasons"`
}

// AttachReport attaches a signed test report to an application; the
// server fills its ID, application, lab, signer and time, and returns it
// without evidence contents. Who: the lab the application names.
// POST /api/v1/applications/{id}/reports. Errors: Invalid,
// Unauthenticated, Forbidden, NotFound, Conflict, RuleViolation (unknown
// requirement, lab not recognized or accreditation expired).
func (c *Client) AttachReport(ctx context.Context, appID string, r trustmark.TestReport) (*trustmark.TestReport, error) {
	if err := need(appID); err != nil {
		return nil, err
	}
	return one[trustmark.TestReport](ctx, c, http.MethodPost, apiPath("applications", appID, "reports"), r)
}

// Reports lists an application's test reports with the current verdict.
// GET /api/v1/applications/{id}/reports. Errors: Unauthenticated, NotFound.
func (c *Client) Reports(ctx context.Context, appID string) (*Reports, error) {
	if err := need(appID); err != nil {
		return nil, err
	}
	r, err := one[Reports](ctx, c, http.MethodGet, apiPath("applications", appID, "reports"), nil)
	if err == nil && r.Items == nil {
		r.Items = []trustmark.TestReport{}
	}
	return r, err
}

// Evidence downloads one piece of evidence of an application's reports and
// checks it against the SHA-256 the server states. The result holds ID,
// SHA256, Size and Content; the name and media type are in the report.
// GET /api/v1/applications/{id}/evidence/{evidence_id}. Errors:
// Unauthenticated, NotFound (also when only its hash was recorded).
func (c *Client) Evidence(ctx context.Context, appID, evidenceID string) (*trustmark.Evidence, error) {
	if err := need(appID, evidenceID); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, apiPath("applications", appID, "evidence", evidenceID), nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	b, err := c.read(resp)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	got := hex.EncodeToString(sum[:])
	if want := resp.Header.Get("X-Evidence-SHA256"); want != "" && want != got {
		return nil, fmt.Errorf("trustmark client: evidence %s has SHA-256 %s, but the server states %s", evidenceID, got, want)
	}
	return &trustmark.Evidence{ID: evidenceID, SHA256: got, Size: len(b), Content: b}, nil
}
