package client

import (
	"context"
	"net/http"

	"trustmark"
)

// Portal users (docs/portals.md): the people who sign in to the web portals
// for an organization, each with one role there. An organization's admins
// add, list and disable them; the server never answers a password hash, and
// a password it generates is in the one answer that creates the user.

// UserInput is a portal user to add (CreateUser), the JSON of the server's
// POST /api/v1/users body (the CreateUserRequest schema of the OpenAPI
// description).
type UserInput struct {
	// OrganizationID is the user's organization: empty for the caller's
	// own. Only an admin of the Lead Administrator may name another.
	OrganizationID string `json:"organization_id,omitempty"`
	// Email is the address the user signs in with, unique among all users;
	// the server trims and lower-cases it.
	Email string `json:"email"`
	// Name is the user's full name.
	Name string `json:"name"`
	// Role is the user's role in the organization: admin, member or viewer.
	Role trustmark.Role `json:"role"`
	// Password is the user's password, 12 to 1024 characters and not the
	// email; empty to have the server generate one.
	Password string `json:"password,omitempty"`
}

// CreateUser adds a portal user and returns it with the password the server
// generated when in.Password is empty ("" otherwise): shown only this once,
// as only a hash of it is stored. Who: an admin, for its own organization;
// an admin of the Lead Administrator, for any. POST /api/v1/users. Errors:
// Invalid (a bad field, or a password the policy rejects; Field names it),
// Unauthenticated, Forbidden, NotFound (an unknown organization), Conflict
// (the email belongs to another user; Field is "email").
func (c *Client) CreateUser(ctx context.Context, in UserInput) (*trustmark.User, string, error) {
	var out struct {
		User     trustmark.User `json:"user"`
		Password string         `json:"password"`
	}
	if err := c.do(ctx, http.MethodPost, apiPath("users"), nil, in, &out); err != nil {
		return nil, "", err
	}
	return &out.User, out.Password, nil
}

// Users lists the portal users of the caller's organization by email,
// disabled ones with DisabledAt set. Who: an admin. GET /api/v1/users.
// Errors: Unauthenticated, Forbidden.
func (c *Client) Users(ctx context.Context) ([]trustmark.User, error) {
	return list[trustmark.User](ctx, c, apiPath("users"), nil)
}

// DisableUser disables a portal user of the caller's organization and ends
// all its sessions; users are never deleted, and disabling a disabled user
// changes nothing. Who: an admin of the user's organization.
// POST /api/v1/users/{id}/disable. Errors: Unauthenticated, Forbidden,
// NotFound (no such user in the caller's organization).
func (c *Client) DisableUser(ctx context.Context, id string) error {
	if err := need(id); err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, apiPath("users", id, "disable"), nil, nil, nil)
}
