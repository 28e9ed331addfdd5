package criteria

import (
	"errors"
	"fmt"
)

// ErrNotFound is wrapped by every error reporting an unknown catalog,
// requirement or mapping; test for it with errors.Is.
var ErrNotFound = errors.New("not found")

// InputError reports an assessment that cannot be evaluated: an unknown
// catalog or requirement, a duplicate or contradictory result, an unknown
// outcome, or not_applicable without a justification. Requirement names the
// offending requirement as given in the input (empty when the problem is
// not tied to one requirement).
type InputError struct {
	Requirement string
	Message     string
}

// Error implements error.
func (e *InputError) Error() string {
	if e.Requirement == "" {
		return "invalid assessment: " + e.Message
	}
	return fmt.Sprintf("invalid assessment: requirement %q: %s", e.Requirement, e.Message)
}
