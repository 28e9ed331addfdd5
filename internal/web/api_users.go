package web

import (
	"net/http"

	"trustmark"
	"trustmark/internal/passwd"
	"trustmark/internal/program"
)

// The JSON API of portal users (docs/portals.md): an organization's admins
// add, list and disable the people who sign in to the portals for it.
// program.CreateUser, Users and DisableUser decide who may; answers never
// hold a password hash (trustmark.User does not marshal it), and a
// generated password appears once, in the answer that creates the user.

// userInput is the body of POST /api/v1/users.
type userInput struct {
	// OrgID is the user's organization: empty for the caller's own; an
	// admin of the Lead Administrator may name any organization.
	OrgID string         `json:"organization_id"`
	Email string         `json:"email"`
	Name  string         `json:"name"`
	Role  trustmark.Role `json:"role"`
	// Password is the user's password; empty to have the server generate one.
	Password string `json:"password"`
}

// createdUser is the answer of POST /api/v1/users: the user and, when the
// server generated it, the password, shown only in this answer.
type createdUser struct {
	User     *trustmark.User `json:"user"`
	Password string          `json:"password,omitempty"`
}

// POST /api/v1/users (admin, for its own organization; an admin of the Lead
// Administrator, for any): {"organization_id"?, "email", "name", "role",
// "password"?} → the user, and its password when generated.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	var in userInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.createUser(r, pr, program.UserInput{OrgID: in.OrgID, Email: in.Email, Name: in.Name, Role: in.Role, Password: in.Password})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// createUser adds a portal user through the program, generating its
// password when in has none; the portal page and the API share it.
func (s *Server) createUser(r *http.Request, pr *trustmark.Principal, in program.UserInput) (*createdUser, error) {
	var generated string
	if in.Password == "" {
		generated = passwd.Generate()
		in.Password = generated
	}
	u, err := s.program.CreateUser(r.Context(), pr, in)
	if err != nil {
		return nil, err
	}
	return &createdUser{User: u, Password: generated}, nil
}

// GET /api/v1/users (admin): the users of the caller's organization by
// email, without password hashes.
func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	list, err := s.program.Users(r.Context(), pr)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(list))
	return nil
}

// POST /api/v1/users/{id}/disable (admin of the user's organization; 404
// for users of others): disables the user and ends its sessions. Takes no
// body; disabling a disabled user changes nothing.
func (s *Server) handleDisableUser(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	if err := s.program.DisableUser(r.Context(), pr, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
