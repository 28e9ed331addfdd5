package web

import (
	"net/http"

	"trustmark"
	"trustmark/internal/program"
)

// The users page (/portal/users), for admins of every kind of organization:
// the organization's portal users, a form to add one and a confirmed form
// to disable one. The portal always generates the new user's password
// (newUserPassword) and shows it once, on the page that answers the form,
// for the admin to hand over; the user then changes it at /portal/password.
// The program decides who may do what: members and viewers get 403 from
// program.Users, and an admin who tries to disable their own account gets
// its KindRule refusal beside the form.

// usersData is the data of users.html.
type usersData struct {
	Users []trustmark.User
	// Self is the signed-in user's ID, marked "you" in the list.
	Self string
	// Roles are the role choices of the form.
	Roles []option
}

// renderUsers renders the users page with f (its values and error).
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	list, err := s.program.Users(r.Context(), ps.Principal)
	if err != nil {
		return err
	}
	v := usersData{Users: list, Self: ps.User.ID, Roles: []option{
		{Value: string(trustmark.RoleMember), Label: "portal.users.role.member"},
		{Value: string(trustmark.RoleViewer), Label: "portal.users.role.viewer"},
		{Value: string(trustmark.RoleAdmin), Label: "portal.users.role.admin"},
	}}
	return s.renderPortal(w, r, ps, "users.html", portalView{Title: "portal.users.title", Form: f, Data: v})
}

// handlePortalUsers answers GET /portal/users (admins of any organization):
// the users and the form to add one, with "member" chosen.
func (s *Server) handlePortalUsers(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := blankForm()
	f.Set("role", string(trustmark.RoleMember))
	return s.renderUsers(w, r, ps, f)
}

// usersCreated is the data of users_created.html.
type usersCreated struct {
	User     *trustmark.User
	Password string
}

// handlePortalUserCreate answers POST /portal/users (admins of any
// organization): adds a user to the admin's organization with a generated
// password, shown once on the answer (sent no-store, as every portal page).
// A refused form comes back with the error beside its field and the typed
// values kept.
func (s *Server) handlePortalUserCreate(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	out, err := s.createUser(r, ps.Principal, program.UserInput{
		Email: f.Get("email"), Name: f.Get("name"), Role: trustmark.Role(f.Get("role")),
	})
	if err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderUsers(w, r, ps, f)
	}
	return s.renderPortal(w, r, ps, "users_created.html", portalView{Title: "portal.users.created_title",
		TitleArgs: []any{out.User.Name}, Data: usersCreated{User: out.User, Password: out.Password}})
}

// userOf returns the user id of the admin's organization, as listed by
// program.Users (which refuses non-admins). Errors: KindNotFound for users
// of other organizations.
func (s *Server) userOf(r *http.Request, ps *portalSession, id string) (*trustmark.User, error) {
	list, err := s.program.Users(r.Context(), ps.Principal)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, trustmark.Errorf(trustmark.KindNotFound, "user %q not found", id)
}

// renderDisableUser renders the confirmation of disabling a user.
func (s *Server) renderDisableUser(w http.ResponseWriter, r *http.Request, ps *portalSession, f *form) error {
	u, err := s.userOf(r, ps, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderPortal(w, r, ps, "users_disable.html", portalView{Title: "portal.users.disable_title",
		TitleArgs: []any{u.Name}, Form: f, Data: u})
}

// handlePortalUserDisableForm answers GET /portal/users/{id}/disable
// (admins of the user's organization): asks to confirm.
func (s *Server) handlePortalUserDisableForm(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	return s.renderDisableUser(w, r, ps, nil)
}

// handlePortalUserDisable answers POST /portal/users/{id}/disable (admins
// of the user's organization, not on their own account): disables the
// user, which ends their sessions.
func (s *Server) handlePortalUserDisable(w http.ResponseWriter, r *http.Request, ps *portalSession) error {
	f := newForm(r)
	if err := s.program.DisableUser(r.Context(), ps.Principal, r.PathValue("id")); err != nil {
		if err := f.fail(err); err != nil {
			return err
		}
		return s.renderDisableUser(w, r, ps, f)
	}
	seeOther(w, r, "/portal/users?done=user_disabled")
	return nil
}
