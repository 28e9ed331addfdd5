package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"trustmark"
)

// Registry lists public registry records (no token needed): f.Query
// matches product, manufacturer and model numbers; f.Manufacturer and
// f.Status narrow; f.Limit (default 50, at most 200) and f.Cursor (a
// previous page's NextCursor) page through. GET /api/v1/registry.
// Errors: Invalid, RateLimited.
func (c *Client) Registry(ctx context.Context, f trustmark.RegistryFilter) (*trustmark.RegistryPage, error) {
	q := queryOf("q", f.Query, "manufacturer", f.Manufacturer, "status", string(f.Status), "cursor", f.Cursor)
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var page trustmark.RegistryPage
	if err := c.do(ctx, http.MethodGet, apiPath("registry"), q, nil, &page); err != nil {
		return nil, err
	}
	if page.Items == nil {
		page.Items = []trustmark.RegistryRecord{}
	}
	return &page, nil
}

// RegistryRecord returns a product's public registry record in CTA-2120
// field names, with its label ID and status (no token needed).
// GET /api/v1/registry/{label_id}. Errors: Invalid (malformed label ID),
// NotFound, RateLimited.
func (c *Client) RegistryRecord(ctx context.Context, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	if err := need(string(id)); err != nil {
		return nil, err
	}
	return one[trustmark.RegistryRecord](ctx, c, http.MethodGet, apiPath("registry", string(id)), nil)
}

// Health reports whether the server is up: nil when GET /healthz answers 200.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/healthz", nil, nil, nil)
}

// OpenAPI returns the OpenAPI 3.1 description of the API as served.
// GET /api/v1/openapi.json.
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	return c.raw(ctx, apiPath("openapi.json"))
}
