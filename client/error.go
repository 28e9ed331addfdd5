package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// The error codes of the API, one per kind of failure, with the HTTP status
// the server answers them with.
const (
	CodeInvalid          = "invalid"            // 400: malformed input or a field rule broken; Field names it
	CodeUnauthenticated  = "unauthenticated"    // 401: no token, or an unknown or revoked one
	CodeForbidden        = "forbidden"          // 403: the token's organization or role may not do this
	CodeNotFound         = "not_found"          // 404: no such thing, or not visible to the caller
	CodeMethodNotAllowed = "method_not_allowed" // 405: the path exists for other methods
	CodeConflict         = "conflict"           // 409: not allowed from the current state, or a duplicate
	CodeRuleViolation    = "rule_violation"     // 422: well-formed, but a program rule forbids it now
	CodeTooLarge         = "too_large"          // 413: the request body or document is larger than accepted
	CodeRateLimited      = "rate_limited"       // 429: too many requests; try again later
	CodeInternal         = "internal"           // 500: a fault on the server; details are in its log
)

// Error is a failure the server reported, decoded from the API's error body
// {"error": {"code", "message", "field"}}. When a response is not that
// shape (a proxy's error page, say) Code is derived from the status and
// Message from the body's first line. Status is 0 when the Client refused
// a request before sending it (an empty ID argument).
type Error struct {
	// Status is the HTTP status code, e.g. 404.
	Status int
	// Code is the API's error code, one of the Code constants.
	Code string
	// Message says what was wrong, safe to show to a user.
	Message string
	// Field is the offending input field, when there is one.
	Field string
}

// Error implements error: "not_found: application "x" not found (HTTP 404)".
func (e *Error) Error() string {
	if e.Status == 0 {
		return e.Code + ": " + e.Message
	}
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Code, e.Message, e.Status)
}

// Is reports whether target is an *Error with the same Code and no other
// field set, so that errors.Is(err, &client.Error{Code: client.CodeNotFound})
// works like IsNotFound.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Status == 0 && t.Message == "" && t.Field == ""
}

// HasCode reports whether err is or wraps an *Error with the given code.
func HasCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// IsInvalid reports whether err is a 400: malformed input or a broken field rule.
func IsInvalid(err error) bool { return HasCode(err, CodeInvalid) }

// IsUnauthenticated reports whether err is a 401: the token is missing, unknown or revoked.
func IsUnauthenticated(err error) bool { return HasCode(err, CodeUnauthenticated) }

// IsForbidden reports whether err is a 403: the caller may not do this.
func IsForbidden(err error) bool { return HasCode(err, CodeForbidden) }

// IsNotFound reports whether err is a 404: no such thing, or not visible to the caller.
func IsNotFound(err error) bool { return HasCode(err, CodeNotFound) }

// IsConflict reports whether err is a 409: not allowed from the current state.
func IsConflict(err error) bool { return HasCode(err, CodeConflict) }

// IsRuleViolation reports whether err is a 422: a program rule forbids the action.
func IsRuleViolation(err error) bool { return HasCode(err, CodeRuleViolation) }

// IsTooLarge reports whether err is a 413: the body or document is too large.
func IsTooLarge(err error) bool { return HasCode(err, CodeTooLarge) }

// IsRateLimited reports whether err is a 429: too many requests.
func IsRateLimited(err error) bool { return HasCode(err, CodeRateLimited) }

// codeOf is the code a status stands for when the body does not say.
func codeOf(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusRequestHeaderFieldsTooLarge:
		return CodeInvalid
	case http.StatusRequestEntityTooLarge:
		return CodeTooLarge
	case http.StatusUnauthorized:
		return CodeUnauthenticated
	case http.StatusForbidden:
		return CodeForbidden
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusConflict:
		return CodeConflict
	case http.StatusUnprocessableEntity:
		return CodeRuleViolation
	case http.StatusTooManyRequests:
		return CodeRateLimited
	}
	return CodeInternal
}

// errorFrom decodes a non-2xx response into an *Error.
func errorFrom(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message, e.Field = body.Error.Code, body.Error.Message, body.Error.Field
		return e
	}
	e.Code = codeOf(resp.StatusCode)
	e.Message = http.StatusText(resp.StatusCode)
	if line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n"); line != "" && utf8.ValidString(line) {
		if r := []rune(line); len(r) > 200 {
			line = string(r[:200]) + "…"
		}
		e.Message += ": " + line
	}
	if e.Message == "" {
		e.Message = "HTTP " + resp.Status
	}
	return e
}
