package trustmark

import (
	"errors"
	"fmt"
)

// ErrorKind classifies an Error so that every adapter can react to it the
// same way: the web layer maps each kind to one HTTP status in one place.
type ErrorKind string

// The error kinds. Each Store method documents which of them it returns.
const (
	// KindInvalid: the input is malformed or violates a field rule (HTTP 400).
	KindInvalid ErrorKind = "invalid"
	// KindNotFound: the named thing does not exist or is not visible to the caller (HTTP 404).
	KindNotFound ErrorKind = "not_found"
	// KindConflict: the request clashes with the current state, e.g. a duplicate (HTTP 409).
	KindConflict ErrorKind = "conflict"
	// KindRule: well-formed input that a program rule forbids in the current state (HTTP 422).
	KindRule ErrorKind = "rule_violation"
	// KindUnauthenticated: no valid credentials were presented (HTTP 401).
	KindUnauthenticated ErrorKind = "unauthenticated"
	// KindForbidden: the caller is known but may not do this (HTTP 403).
	KindForbidden ErrorKind = "forbidden"
	// KindTooLarge: the request or document is larger than accepted (HTTP 413).
	KindTooLarge ErrorKind = "too_large"
	// KindRateLimited: the caller sent too many requests (HTTP 429).
	KindRateLimited ErrorKind = "rate_limited"
	// KindInternal: a fault on our side; its details are logged, never shown (HTTP 500).
	KindInternal ErrorKind = "internal"
)

// Error is the one error type of the domain. Message is safe to show to the
// caller; Err, when set, carries the underlying cause for logs only.
type Error struct {
	Kind    ErrorKind
	Field   string // the offending input field, when there is one
	Message string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	msg := e.Message
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same kind, so that
// errors.Is(err, &Error{Kind: KindNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Message == "" && t.Field == ""
}

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a KindInvalid error about one input field.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected error as KindInternal; the caller sees only
// "internal error".
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Message: "internal error", Err: err}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain,
// or KindInternal for any other non-nil error, or "" for nil.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err has the given kind.
func IsKind(err error, kind ErrorKind) bool { return err != nil && KindOf(err) == kind }

// PublicMessage returns the message that may be shown to a caller: the
// *Error's field and message, or "internal error" for internal faults.
func PublicMessage(err error) string {
	var e *Error
	if !errors.As(err, &e) || e.Kind == KindInternal {
		return "internal error"
	}
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}
