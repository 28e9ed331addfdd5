package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"trustmark"
)

// Vulnerability monitoring (docs/vulns.md): products' SBOMs and VEX
// statements, the alerts that remain, and the webhooks that report them.

// MaxDocumentBytes is the largest SBOM or VEX document the server accepts,
// and the cap on a document SBOMDocument reads (it may exceed the Client's
// response cap).
const MaxDocumentBytes = 64 << 20

// SBOMUpload is the server's answer to an SBOM upload: the SBOM's
// metadata (without components), how many components it lists, and what
// the parser warns about (components without a version, unknown package
// URL types, a registry record that does not say an SBOM is maintained…).
type SBOMUpload struct {
	trustmark.SBOM
	ComponentCount int      `json:"component_count"`
	Warnings       []string `json:"warnings"`
}

// Document is a standards document as the server stores it.
type Document struct {
	// MediaType is its registered media type, e.g.
	// "application/vnd.cyclonedx+json".
	MediaType string
	// SHA256 is the hex SHA-256 of Content as the server recorded it at
	// upload (X-SBOM-SHA256).
	SHA256  string
	Content []byte
}

// Finding is one advisory matching one component of an SBOM, the same
// JSON as the server's program.Finding: what an alert would say.
type Finding struct {
	AdvisoryID   string                      `json:"advisory_id"`
	Aliases      []string                    `json:"aliases,omitempty"`
	Summary      string                      `json:"summary,omitempty"`
	Severity     trustmark.Severity          `json:"severity"`
	Component    trustmark.SoftwareComponent `json:"component"`
	FixedVersion string                      `json:"fixed_version,omitempty"`
	Confidence   trustmark.Confidence        `json:"confidence"`
	// Suppressed is the VEX statement that closes the finding, if any.
	Suppressed *trustmark.VEXStatement `json:"suppressed_by,omitempty"`
}

// Findings is an SBOM matched now against the stored advisories, the same
// JSON as the server's program.Findings.
type Findings struct {
	Findings []Finding `json:"findings"`
	// Unchecked lists the components that cannot be matched: no version,
	// or neither a package URL OSV knows nor a CPE.
	Unchecked []trustmark.SoftwareComponent `json:"unchecked"`
	// Advisories is how many stored advisories were considered.
	Advisories int `json:"advisories_considered"`
}

// Open counts the findings no VEX statement suppresses.
func (f *Findings) Open() int {
	n := 0
	for _, x := range f.Findings {
		if x.Suppressed == nil {
			n++
		}
	}
	return n
}

// UploadSBOM uploads an SBOM of one version of a product — CycloneDX JSON or
// XML, SPDX JSON or tag-value, at most MaxDocumentBytes; the server detects
// the format — and makes it the product's current SBOM, matched at once.
// Who: a member of the product's manufacturer.
// POST /api/v1/products/{id}/sboms?version=V. Errors: Invalid (a malformed
// document, with where; no version), TooLarge, Unauthenticated, Forbidden,
// NotFound (another's product).
func (c *Client) UploadSBOM(ctx context.Context, productID, version string, doc []byte) (*SBOMUpload, error) {
	if err := need(productID); err != nil {
		return nil, err
	}
	var out SBOMUpload
	if err := c.doBody(ctx, http.MethodPost, apiPath("products", productID, "sboms"), queryOf("version", version), doc, &out); err != nil {
		return nil, err
	}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	return &out, nil
}

// SBOMs lists a product's SBOMs, newest first, without components. Who: the
// product's manufacturer, its CLA and lab, the regulator; to anyone else
// the product does not exist. GET /api/v1/products/{id}/sboms. Errors:
// Unauthenticated, Forbidden, NotFound.
func (c *Client) SBOMs(ctx context.Context, productID string) ([]trustmark.SBOM, error) {
	if err := need(productID); err != nil {
		return nil, err
	}
	return list[trustmark.SBOM](ctx, c, apiPath("products", productID, "sboms"), nil)
}

// SBOM returns one SBOM with its components in document order, read up to
// MaxDocumentBytes (or the Client's response cap when that is larger): an
// SBOM of many components can exceed the usual cap. Who: as SBOMs.
// GET /api/v1/sboms/{id}. Errors: Unauthenticated, Forbidden, NotFound.
func (c *Client) SBOM(ctx context.Context, id string) (*trustmark.SBOM, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, apiPath("sboms", id), nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	b, err := readCapped(resp, max(c.maxBody, MaxDocumentBytes))
	if err != nil {
		return nil, err
	}
	var out trustmark.SBOM
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("trustmark client: GET %s: the response is not the expected JSON: %w", resp.Request.URL.Path, err)
	}
	return &out, nil
}

// SBOMDocument returns an SBOM's document as it was uploaded, read up to
// MaxDocumentBytes (or the Client's response cap when that is larger).
// Who: as SBOMs. GET /api/v1/sboms/{id}/document. Errors: Unauthenticated,
// Forbidden, NotFound.
func (c *Client) SBOMDocument(ctx context.Context, id string) (*Document, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, apiPath("sboms", id, "document"), nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	b, err := readCapped(resp, max(c.maxBody, MaxDocumentBytes))
	if err != nil {
		return nil, err
	}
	return &Document{MediaType: resp.Header.Get("Content-Type"), SHA256: resp.Header.Get("X-SBOM-SHA256"), Content: b}, nil
}

// SBOMFindings matches one stored SBOM against the stored advisories now,
// with its product's VEX statements applied, opening no alerts: how an
// unlabeled product's SBOM is checked. Who: as SBOMs.
// GET /api/v1/sboms/{id}/findings. Errors: Unauthenticated, Forbidden,
// NotFound.
func (c *Client) SBOMFindings(ctx context.Context, id string) (*Findings, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[Findings](ctx, c, http.MethodGet, apiPath("sboms", id, "findings"), nil)
}

// UploadVEX uploads a VEX document about a product — OpenVEX, CycloneDX VEX
// or CSAF VEX; the server detects the format — and returns the statements
// stored, with the caller recorded as their author. A not_affected (with
// a justification) or fixed statement suppresses the matching alerts at
// once. Who: a member of the product's manufacturer.
// POST /api/v1/products/{id}/vex. Errors: Invalid (a malformed document, a
// not_affected statement without justification), TooLarge,
// Unauthenticated, Forbidden, NotFound.
func (c *Client) UploadVEX(ctx context.Context, productID string, doc []byte) ([]trustmark.VEXStatement, error) {
	if err := need(productID); err != nil {
		return nil, err
	}
	var out itemsOf[trustmark.VEXStatement]
	if err := c.doBody(ctx, http.MethodPost, apiPath("products", productID, "vex"), nil, doc, &out); err != nil {
		return nil, err
	}
	if out.Items == nil {
		out.Items = []trustmark.VEXStatement{}
	}
	return out.Items, nil
}

// VEXStatements lists a product's VEX statements, oldest first. Who: as
// SBOMs. GET /api/v1/products/{id}/vex. Errors: Unauthenticated, Forbidden,
// NotFound.
func (c *Client) VEXStatements(ctx context.Context, productID string) ([]trustmark.VEXStatement, error) {
	if err := need(productID); err != nil {
		return nil, err
	}
	return list[trustmark.VEXStatement](ctx, c, apiPath("products", productID, "vex"), nil)
}

// Alerts lists alerts, newest first: a manufacturer its own, a CLA those of
// its grants, the overseers all; state ("" for all) and productID ("" for
// all) narrow the list. GET /api/v1/alerts?state=&product=. Errors:
// Invalid (an unknown state), Unauthenticated, Forbidden.
func (c *Client) Alerts(ctx context.Context, state trustmark.AlertState, productID string) ([]trustmark.Alert, error) {
	return list[trustmark.Alert](ctx, c, apiPath("alerts"), queryOf("state", string(state), "product", productID))
}

// Alert returns one alert. Who: its manufacturer and CLA, the overseers;
// to anyone else it does not exist. GET /api/v1/alerts/{id}. Errors:
// Unauthenticated, Forbidden, NotFound.
func (c *Client) Alert(ctx context.Context, id string) (*trustmark.Alert, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	return one[trustmark.Alert](ctx, c, http.MethodGet, apiPath("alerts", id), nil)
}

// AlertToFinding turns an open or suppressed alert into a surveillance
// finding: a failed for-cause sample under the CLA's plan of the current
// year, with note as its findings, which suspends an active grant for the
// 20-day cure period. It returns the alert, now in state finding with the
// sample's ID. Who: a member of the alert's CLA.
// POST /api/v1/alerts/{id}/finding. Errors: Invalid (the note),
// Unauthenticated, Forbidden, NotFound, Conflict (resolved, or a finding
// already), RuleViolation (the CLA has no plan for the year).
func (c *Client) AlertToFinding(ctx context.Context, id, note string) (*trustmark.Alert, error) {
	if err := need(id); err != nil {
		return nil, err
	}
	in := struct {
		Note string `json:"note"`
	}{note}
	return one[trustmark.Alert](ctx, c, http.MethodPost, apiPath("alerts", id, "finding"), in)
}

// CreateWebhook registers an endpoint of the caller's organization for
// alert notifications and returns it with its signing secret ("whsec_…"),
// which the server shows only this once. The URL must be https (plain http
// only to 127.0.0.1, ::1 or localhost). Who: an admin of a manufacturer or
// a CLA. POST /api/v1/webhooks. Errors: Invalid (the URL), Unauthenticated,
// Forbidden, RuleViolation (too many webhooks, or the server has no
// webhook key).
func (c *Client) CreateWebhook(ctx context.Context, endpoint string) (*trustmark.Webhook, string, error) {
	in := struct {
		URL string `json:"url"`
	}{endpoint}
	out, err := one[struct {
		Webhook trustmark.Webhook `json:"webhook"`
		Secret  string            `json:"secret"`
	}](ctx, c, http.MethodPost, apiPath("webhooks"), in)
	if err != nil {
		return nil, "", err
	}
	return &out.Webhook, out.Secret, nil
}

// Webhooks lists the caller's organization's webhooks, without secrets.
// Who: an admin of a manufacturer or a CLA. GET /api/v1/webhooks. Errors:
// Unauthenticated, Forbidden.
func (c *Client) Webhooks(ctx context.Context) ([]trustmark.Webhook, error) {
	return list[trustmark.Webhook](ctx, c, apiPath("webhooks"), nil)
}

// DeleteWebhook removes one of the organization's webhooks; its queued
// deliveries are dropped. Who: an admin of the webhook's organization.
// DELETE /api/v1/webhooks/{id}. Errors: Unauthenticated, Forbidden,
// NotFound.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if err := need(id); err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, apiPath("webhooks", id), nil, nil, nil)
}

// doBody sends a document as the request body (application/octet-stream:
// the server detects the format from the content) and decodes the JSON
// answer into out. A document over MaxDocumentBytes is refused before it
// is sent.
func (c *Client) doBody(ctx context.Context, method, path string, query url.Values, doc []byte, out any) error {
	if len(doc) > MaxDocumentBytes {
		return &Error{Code: CodeTooLarge, Message: "the document is " + strconv.Itoa(len(doc)) + " bytes; the server accepts at most 64 MiB"}
	}
	if doc == nil {
		doc = []byte{}
	}
	resp, err := c.sendBody(ctx, method, path, query, "application/octet-stream", doc)
	if err != nil {
		return err
	}
	defer drain(resp.Body)
	return c.decode(resp, out)
}
