package client

import (
	"context"
	"strconv"

	"trustmark"
)

// Audit returns audit entries, newest first: f.Subject selects one subject
// (e.g. "grant/H7QK-3M9D-W2RX"), f.Before pages back from a sequence number,
// f.Limit (1 to 500) bounds the count. Who: the overseers.
// GET /api/v1/audit. Errors: Invalid, Unauthenticated, Forbidden.
func (c *Client) Audit(ctx context.Context, f trustmark.AuditFilter) ([]trustmark.AuditEntry, error) {
	q := queryOf("subject", f.Subject, "before", nonZero(f.Before), "limit", nonZero(int64(f.Limit)))
	return list[trustmark.AuditEntry](ctx, c, apiPath("audit"), q)
}

// nonZero formats n for a query string, or "" (left out) when it is 0.
func nonZero(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
