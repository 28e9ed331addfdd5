package program_test

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"trustmark"
	"trustmark/internal/program"
	"trustmark/internal/sqlite"
)

// userEnv is a program over a fresh SQLite store with a clock the test
// moves, and a manufacturer, a CLA and the Lead Administrator.
type userEnv struct {
	t     *testing.T
	ctx   context.Context
	store *sqlite.DB
	p     *program.Program
	now   time.Time
	maker *trustmark.Organization
	cla   *trustmark.Organization
	la    *trustmark.Organization
}

var start = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

func newUserEnv(t *testing.T) *userEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "trustmark.db"))
	if err != nil {
		t.Fatalf("sqlite.Open() = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	e := &userEnv{t: t, ctx: ctx, store: db, now: start}
	e.p = program.New(db, nil, program.Config{Now: func() time.Time { return e.now }})
	if e.la, _, err = e.p.Init(ctx, trustmark.Organization{Name: "Lead Admin", Contact: "https://la.example"}, "Lee Admin"); err != nil {
		t.Fatalf("Init() = %v", err)
	}
	e.maker = &trustmark.Organization{Kind: trustmark.OrgManufacturer, Name: "Northwind", Contact: "security@northwind.example"}
	e.cla = &trustmark.Organization{Kind: trustmark.OrgCLA, Name: "Cert Co", Contact: "https://cla.example"}
	for _, o := range []*trustmark.Organization{e.maker, e.cla} {
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatalf("CreateOrganization(%s) = %v", o.Name, err)
		}
	}
	return e
}

// tokenOf returns a token principal of org with role.
func tokenOf(org *trustmark.Organization, role trustmark.Role) *trustmark.Principal {
	return &trustmark.Principal{Org: *org, Token: trustmark.Token{ID: "tok_" + string(role) + "_" + org.ID, OrgID: org.ID, Holder: "Tess Token", Role: role}}
}

const goodPassword = "correct horse battery staple"

// addUser creates an admin user of org through the operator path.
func (e *userEnv) addUser(org *trustmark.Organization, email string, role trustmark.Role) *trustmark.User {
	e.t.Helper()
	u, err := e.p.OperatorCreateUser(e.ctx, program.UserInput{OrgID: org.ID, Email: email, Name: "Ana Ruiz", Role: role, Password: goodPassword}, "test operator")
	if err != nil {
		e.t.Fatalf("OperatorCreateUser(%s) = %v", email, err)
	}
	return u
}

func (e *userEnv) login(email, password string) string {
	e.t.Helper()
	secret, _, err := e.p.Login(e.ctx, email, password)
	if err != nil {
		e.t.Fatalf("Login(%s) = %v", email, err)
	}
	return secret
}

// storedUser reads a user straight from the store.
func (e *userEnv) storedUser(id string) *trustmark.User {
	e.t.Helper()
	var u *trustmark.User
	if err := e.store.View(e.ctx, func(tx trustmark.Tx) error {
		var err error
		u, err = tx.User(id)
		return err
	}); err != nil {
		e.t.Fatalf("User(%s) = %v", id, err)
	}
	return u
}

// sessionStored reports whether the store still has the session of secret.
func (e *userEnv) sessionStored(secret string) bool {
	e.t.Helper()
	err := e.store.View(e.ctx, func(tx trustmark.Tx) error {
		_, err := tx.SessionByHash(trustmark.HashToken(secret))
		return err
	})
	if err != nil && !trustmark.IsKind(err, trustmark.KindNotFound) {
		e.t.Fatalf("SessionByHash() = %v", err)
	}
	return err == nil
}

// wantError checks an error's kind and that its public message contains msg.
func wantError(t *testing.T, what string, err error, kind trustmark.ErrorKind, msg string) {
	t.Helper()
	if !trustmark.IsKind(err, kind) || !strings.Contains(trustmark.PublicMessage(err), msg) {
		t.Errorf("%s = %v, want %s error containing %q", what, err, kind, msg)
	}
}

func TestLoginAndSession(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)

	secret, s, err := e.p.Login(e.ctx, "  ANA@Northwind.example ", goodPassword)
	if err != nil {
		t.Fatalf("Login() = %v", err)
	}
	if len(secret) != 43 || strings.ContainsAny(secret, "+/=") {
		t.Errorf("Login() secret = %q, want 43 characters of unpadded base64url (256 bits)", secret)
	}
	if s.UserID != u.ID || len(s.CSRF) < 43 || s.CSRF == secret || !s.ExpiresAt.Equal(start.Add(12*time.Hour)) || !s.LastSeen.Equal(start) {
		t.Errorf("Login() session = %+v; want user %s, a CSRF token apart from the secret, expiry in 12h", s, u.ID)
	}
	if string(s.Hash) != string(trustmark.HashToken(secret)) {
		t.Errorf("session hash is not the SHA-256 of the secret")
	}

	pr, gotU, gotS, err := e.p.SessionPrincipal(e.ctx, secret)
	if err != nil {
		t.Fatalf("SessionPrincipal() = %v", err)
	}
	want := trustmark.Token{ID: "user:" + u.ID, OrgID: e.maker.ID, Holder: "Ana Ruiz <ana@northwind.example>", Role: trustmark.RoleAdmin, CreatedAt: u.CreatedAt}
	if !reflect.DeepEqual(pr.Token, want) || pr.Org.ID != e.maker.ID || pr.Org.Kind != trustmark.OrgManufacturer {
		t.Errorf("SessionPrincipal() principal = %+v, want token %+v of the manufacturer", pr, want)
	}
	if gotU.ID != u.ID || gotS.CSRF != s.CSRF {
		t.Errorf("SessionPrincipal() = user %s, CSRF %q; want %s, %q", gotU.ID, gotS.CSRF, u.ID, s.CSRF)
	}
	if got := pr.Actor(); got != "Ana Ruiz <ana@northwind.example> (Northwind)" {
		t.Errorf("Actor() = %q", got)
	}
	// Existing rules work for the user as for a token: an admin lists tokens.
	if _, err := e.p.Tokens(e.ctx, pr); err != nil {
		t.Errorf("Tokens(portal admin) = %v", err)
	}
	entries, err := e.p.AuditLog(e.ctx, tokenOf(e.la, trustmark.RoleViewer), trustmark.AuditFilter{Subject: "user/" + u.ID, Limit: 10})
	if err != nil || len(entries) != 2 || entries[0].Action != "login" || entries[0].TokenID != "user:"+u.ID || entries[1].Action != "user.create" {
		t.Errorf("audit of user = %+v, %v; want login (by the user) after user.create", entries, err)
	}

	for _, bad := range []string{"", "garbage", secret + "x", strings.Repeat("A", 43), "tmk_" + secret[4:]} {
		_, _, _, err := e.p.SessionPrincipal(e.ctx, bad)
		wantError(t, "SessionPrincipal("+bad+")", err, trustmark.KindUnauthenticated, "your session has ended; sign in again")
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	_, _, wrong := e.p.Login(e.ctx, "ana@northwind.example", "not the password")
	_, _, unknown := e.p.Login(e.ctx, "bob@northwind.example", goodPassword)
	_, _, empty := e.p.Login(e.ctx, "", "")
	for name, err := range map[string]error{"wrong password": wrong, "unknown email": unknown, "empty": empty} {
		if !trustmark.IsKind(err, trustmark.KindUnauthenticated) || trustmark.PublicMessage(err) != "the email or password is wrong" {
			t.Errorf("Login(%s) = %v, want unauthenticated: the email or password is wrong", name, err)
		}
	}
	if got := e.storedUser(u.ID).FailedLogins; got != 1 {
		t.Errorf("FailedLogins after one wrong password = %d, want 1", got)
	}

	// An unknown email costs a password check too. Compare the fastest of
	// a few tries of each, leaving a wide margin for a busy machine.
	fastest := func(email, password string) time.Duration {
		best := time.Hour
		for range 3 {
			t0 := time.Now()
			e.p.Login(e.ctx, email, password)
			best = min(best, time.Since(t0))
		}
		return best
	}
	known := fastest("ana@northwind.example", "still not the password")
	unknownTime := fastest("nobody@northwind.example", "still not the password")
	if unknownTime < known/4 {
		t.Errorf("Login(unknown email) took %v, Login(wrong password) %v: an unknown email must cost a password check too", unknownTime, known)
	}
}

func TestLockout(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)

	// Failures that a success interrupts do not add up.
	for range 4 {
		e.p.Login(e.ctx, "ana@northwind.example", "wrong password!")
	}
	e.login("ana@northwind.example", goodPassword)
	if got := e.storedUser(u.ID).FailedLogins; got != 0 {
		t.Fatalf("FailedLogins after a success = %d, want 0", got)
	}

	for i := 1; i <= 5; i++ {
		_, _, err := e.p.Login(e.ctx, "ana@northwind.example", "wrong password!")
		wantError(t, "Login(wrong) #"+itoa(i), err, trustmark.KindUnauthenticated, "the email or password is wrong")
	}
	stored := e.storedUser(u.ID)
	if stored.LockedUntil == nil || !stored.LockedUntil.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("LockedUntil after 5 failures = %v, want %v", stored.LockedUntil, start.Add(15*time.Minute))
	}
	// Locked: even the right password is refused, saying when to retry.
	e.now = start.Add(14 * time.Minute)
	_, _, err := e.p.Login(e.ctx, "ana@northwind.example", goodPassword)
	wantError(t, "Login(locked, right password)", err, trustmark.KindRateLimited, "try again after 2026-05-04 09:15 UTC")

	e.now = start.Add(15 * time.Minute)
	e.login("ana@northwind.example", goodPassword)
	if got := e.storedUser(u.ID); got.LockedUntil != nil || got.FailedLogins != 0 {
		t.Errorf("after unlocking: LockedUntil %v, FailedLogins %d; want cleared", got.LockedUntil, got.FailedLogins)
	}
	entries, err := e.p.AuditLog(e.ctx, tokenOf(e.la, trustmark.RoleViewer), trustmark.AuditFilter{Subject: "user/" + u.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	locks := 0
	for _, en := range entries {
		if en.Action == "user.lock" {
			locks++
		}
	}
	if locks != 1 {
		t.Errorf("audit has %d user.lock entries, want 1", locks)
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newUserEnv(t)
	e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)

	t.Run("idle", func(t *testing.T) {
		e.now = start
		secret := e.login("ana@northwind.example", goodPassword)
		e.now = start.Add(30 * time.Minute)
		if _, _, _, err := e.p.SessionPrincipal(e.ctx, secret); err != nil {
			t.Fatalf("SessionPrincipal(after 30 min) = %v, want still signed in", err)
		}
		e.now = start.Add(60*time.Minute + time.Second)
		_, _, _, err := e.p.SessionPrincipal(e.ctx, secret)
		wantError(t, "SessionPrincipal(idle 30 min 1 s)", err, trustmark.KindUnauthenticated, "your session has ended; sign in again")
		if e.sessionStored(secret) {
			t.Errorf("the idle session is still stored")
		}
	})

	t.Run("touch at most once a minute", func(t *testing.T) {
		e.now = start
		secret := e.login("ana@northwind.example", goodPassword)
		e.now = start.Add(59 * time.Second)
		_, _, s, err := e.p.SessionPrincipal(e.ctx, secret)
		if err != nil || !s.LastSeen.Equal(start) {
			t.Errorf("SessionPrincipal(after 59 s) LastSeen = %v, %v; want %v (no write)", s, err, start)
		}
		e.now = start.Add(time.Minute)
		if _, _, s, err := e.p.SessionPrincipal(e.ctx, secret); err != nil || !s.LastSeen.Equal(e.now) {
			t.Errorf("SessionPrincipal(after 1 min) = %v, %v; want LastSeen %v", s, err, e.now)
		}
	})

	t.Run("absolute", func(t *testing.T) {
		e.now = start
		secret := e.login("ana@northwind.example", goodPassword)
		// Busy all day: use every 20 minutes keeps it from idling out.
		for e.now.Before(start.Add(12*time.Hour - 20*time.Minute)) {
			e.now = e.now.Add(20 * time.Minute)
			if _, _, _, err := e.p.SessionPrincipal(e.ctx, secret); err != nil {
				t.Fatalf("SessionPrincipal(at %v) = %v", e.now.Sub(start), err)
			}
		}
		e.now = start.Add(12 * time.Hour)
		_, _, _, err := e.p.SessionPrincipal(e.ctx, secret)
		wantError(t, "SessionPrincipal(after 12 h)", err, trustmark.KindUnauthenticated, "your session has ended")
		if e.sessionStored(secret) {
			t.Errorf("the expired session is still stored")
		}
	})

	t.Run("sweep", func(t *testing.T) {
		e.now = start
		secret := e.login("ana@northwind.example", goodPassword)
		e.now = start.Add(12 * time.Hour)
		if _, err := e.p.Sweep(e.ctx); err != nil {
			t.Fatalf("Sweep() = %v", err)
		}
		if e.sessionStored(secret) {
			t.Errorf("Sweep() left an expired session")
		}
	})
}

func TestLogout(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	secret := e.login("ana@northwind.example", goodPassword)
	other := e.login("ana@northwind.example", goodPassword)
	if err := e.p.Logout(e.ctx, secret); err != nil {
		t.Fatalf("Logout() = %v", err)
	}
	_, _, _, err := e.p.SessionPrincipal(e.ctx, secret)
	wantError(t, "SessionPrincipal(after logout)", err, trustmark.KindUnauthenticated, "your session has ended")
	if _, _, _, err := e.p.SessionPrincipal(e.ctx, other); err != nil {
		t.Errorf("SessionPrincipal(other session) = %v, want still signed in", err)
	}
	for _, s := range []string{secret, "", "garbage"} {
		if err := e.p.Logout(e.ctx, s); err != nil {
			t.Errorf("Logout(%q) = %v, want nil", s, err)
		}
	}
	entries, _ := e.p.AuditLog(e.ctx, tokenOf(e.la, trustmark.RoleViewer), trustmark.AuditFilter{Subject: "user/" + u.ID, Limit: 10})
	if len(entries) == 0 || entries[0].Action != "logout" {
		t.Errorf("latest audit entry = %+v, want one logout", entries)
	}
}

func TestDisableUser(t *testing.T) {
	e := newUserEnv(t)
	admin := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	bo := e.addUser(e.maker, "bo@northwind.example", trustmark.RoleMember)
	outsider := e.addUser(e.cla, "cy@cla.example", trustmark.RoleMember)
	adminSecret := e.login("ana@northwind.example", goodPassword)
	boSecret := e.login("bo@northwind.example", goodPassword)
	adminPr, _, _, err := e.p.SessionPrincipal(e.ctx, adminSecret)
	if err != nil {
		t.Fatal(err)
	}
	boPr, _, _, _ := e.p.SessionPrincipal(e.ctx, boSecret)

	wantError(t, "DisableUser(by member)", e.p.DisableUser(e.ctx, boPr, admin.ID), trustmark.KindForbidden, "admin")
	wantError(t, "DisableUser(other org's user)", e.p.DisableUser(e.ctx, adminPr, outsider.ID), trustmark.KindNotFound, "not found")
	wantError(t, "DisableUser(self)", e.p.DisableUser(e.ctx, adminPr, admin.ID), trustmark.KindRule, "your own account")

	if err := e.p.DisableUser(e.ctx, adminPr, bo.ID); err != nil {
		t.Fatalf("DisableUser() = %v", err)
	}
	if err := e.p.DisableUser(e.ctx, adminPr, bo.ID); err != nil {
		t.Errorf("DisableUser(again) = %v, want nil", err)
	}
	_, _, _, err = e.p.SessionPrincipal(e.ctx, boSecret)
	wantError(t, "SessionPrincipal(disabled user)", err, trustmark.KindUnauthenticated, "your session has ended")
	if e.sessionStored(boSecret) {
		t.Errorf("the disabled user's session is still stored")
	}
	_, _, err = e.p.Login(e.ctx, "bo@northwind.example", goodPassword)
	wantError(t, "Login(disabled, right password)", err, trustmark.KindUnauthenticated, "the email or password is wrong")
	if got := e.storedUser(bo.ID); got.DisabledAt == nil || !got.DisabledAt.Equal(start) {
		t.Errorf("DisabledAt = %v, want %v", got.DisabledAt, start)
	}
}

func TestChangePassword(t *testing.T) {
	e := newUserEnv(t)
	e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	here := e.login("ana@northwind.example", goodPassword)
	elsewhere := e.login("ana@northwind.example", goodPassword)
	const newPassword = "a brand new passphrase"

	err := e.p.ChangePassword(e.ctx, here, "not the old one", newPassword)
	wantError(t, "ChangePassword(wrong old)", err, trustmark.KindInvalid, "old_password: is wrong")
	err = e.p.ChangePassword(e.ctx, here, goodPassword, "short")
	wantError(t, "ChangePassword(short new)", err, trustmark.KindInvalid, "password: must be at least 12 characters")
	err = e.p.ChangePassword(e.ctx, here, goodPassword, "ana@northwind.example")
	wantError(t, "ChangePassword(email as password)", err, trustmark.KindInvalid, "must not be your email")
	err = e.p.ChangePassword(e.ctx, "garbage", goodPassword, newPassword)
	wantError(t, "ChangePassword(no session)", err, trustmark.KindUnauthenticated, "your session has ended")

	if err := e.p.ChangePassword(e.ctx, here, goodPassword, newPassword); err != nil {
		t.Fatalf("ChangePassword() = %v", err)
	}
	if _, _, _, err := e.p.SessionPrincipal(e.ctx, here); err != nil {
		t.Errorf("SessionPrincipal(this session) = %v, want still signed in", err)
	}
	_, _, _, err = e.p.SessionPrincipal(e.ctx, elsewhere)
	wantError(t, "SessionPrincipal(other session)", err, trustmark.KindUnauthenticated, "your session has ended")
	_, _, err = e.p.Login(e.ctx, "ana@northwind.example", goodPassword)
	wantError(t, "Login(old password)", err, trustmark.KindUnauthenticated, "the email or password is wrong")
	e.login("ana@northwind.example", newPassword)
}

func TestChangePasswordCountsFailures(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	secret := e.login("ana@northwind.example", goodPassword)
	for range 5 {
		e.p.ChangePassword(e.ctx, secret, "guessing the password", "a brand new passphrase")
	}
	if got := e.storedUser(u.ID); got.LockedUntil == nil {
		t.Fatalf("5 wrong old passwords did not lock the account")
	}
	err := e.p.ChangePassword(e.ctx, secret, goodPassword, "a brand new passphrase")
	wantError(t, "ChangePassword(locked)", err, trustmark.KindRateLimited, "try again after")
}

func TestCreateUser(t *testing.T) {
	e := newUserEnv(t)
	in := func(org *trustmark.Organization, email string) program.UserInput {
		return program.UserInput{OrgID: org.ID, Email: email, Name: "Dee Doe", Role: trustmark.RoleMember, Password: goodPassword}
	}
	tests := []struct {
		name     string
		pr       *trustmark.Principal
		in       program.UserInput
		wantKind trustmark.ErrorKind // "" for success
		wantMsg  string
	}{
		{"anonymous", nil, in(e.maker, "a@northwind.example"), trustmark.KindUnauthenticated, ""},
		{"member", tokenOf(e.maker, trustmark.RoleMember), in(e.maker, "b@northwind.example"), trustmark.KindForbidden, "admin"},
		{"admin of another org", tokenOf(e.cla, trustmark.RoleAdmin), in(e.maker, "c@northwind.example"), trustmark.KindForbidden, "own organization"},
		{"admin of own org", tokenOf(e.maker, trustmark.RoleAdmin), in(e.maker, "d@northwind.example"), "", ""},
		{"own org by default", tokenOf(e.maker, trustmark.RoleAdmin), program.UserInput{Email: "e@northwind.example", Name: "E", Role: trustmark.RoleViewer, Password: goodPassword}, "", ""},
		{"LA admin for any org", tokenOf(e.la, trustmark.RoleAdmin), in(e.cla, "f@cla.example"), "", ""},
		{"LA member", tokenOf(e.la, trustmark.RoleMember), in(e.cla, "g@cla.example"), trustmark.KindForbidden, "admin"},
		{"unknown org", tokenOf(e.la, trustmark.RoleAdmin), program.UserInput{OrgID: "org_missing", Email: "h@x.example", Name: "H", Role: trustmark.RoleAdmin, Password: goodPassword}, trustmark.KindNotFound, "org_missing"},
		{"duplicate email", tokenOf(e.maker, trustmark.RoleAdmin), in(e.maker, "D@Northwind.example"), trustmark.KindConflict, "email"},
		{"bad email", tokenOf(e.maker, trustmark.RoleAdmin), in(e.maker, "not an email"), trustmark.KindInvalid, "email"},
		{"bad role", tokenOf(e.maker, trustmark.RoleAdmin), program.UserInput{OrgID: e.maker.ID, Email: "i@northwind.example", Name: "I", Role: "root", Password: goodPassword}, trustmark.KindInvalid, "role"},
		{"no name", tokenOf(e.maker, trustmark.RoleAdmin), program.UserInput{OrgID: e.maker.ID, Email: "j@northwind.example", Name: "  ", Role: trustmark.RoleAdmin, Password: goodPassword}, trustmark.KindInvalid, "name"},
		{"weak password", tokenOf(e.maker, trustmark.RoleAdmin), program.UserInput{OrgID: e.maker.ID, Email: "k@northwind.example", Name: "K", Role: trustmark.RoleAdmin, Password: "hunter2"}, trustmark.KindInvalid, "password: must be at least 12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := e.p.CreateUser(e.ctx, tt.pr, tt.in)
			if tt.wantKind != "" {
				wantError(t, "CreateUser()", err, tt.wantKind, tt.wantMsg)
				if u != nil {
					t.Errorf("CreateUser() returned a user with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateUser() = %v", err)
			}
			if u.ID == "" || u.Email != strings.ToLower(tt.in.Email) || u.CreatedBy != tt.pr.Token.ID || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("CreateUser() = %+v", u)
			}
		})
	}

	// Users lists the caller's own organization, for admins only.
	list, err := e.p.Users(e.ctx, tokenOf(e.maker, trustmark.RoleAdmin))
	if err != nil || len(list) != 2 || list[0].Email != "d@northwind.example" || list[1].Email != "e@northwind.example" {
		t.Errorf("Users(maker admin) = %+v, %v; want d@ and e@northwind.example", list, err)
	}
	_, err = e.p.Users(e.ctx, tokenOf(e.maker, trustmark.RoleMember))
	wantError(t, "Users(member)", err, trustmark.KindForbidden, "admin")
}

func TestLoginRehashesWeakHash(t *testing.T) {
	e := newUserEnv(t)
	u := e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	// A hash from before the parameters were raised: 8 MiB, one pass.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(goodPassword), salt, 1, 8192, 1, 32)
	weak := "$argon2id$v=19$m=8192,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + b64(key)
	err := e.store.Transact(e.ctx, func(tx trustmark.Tx) error {
		stored, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		stored.PasswordHash = weak
		return tx.UpdateUser(stored)
	})
	if err != nil {
		t.Fatal(err)
	}
	e.login("ana@northwind.example", goodPassword)
	if got := e.storedUser(u.ID).PasswordHash; !strings.HasPrefix(got, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("PasswordHash after login = %q, want it rehashed with the current parameters", got)
	}
	e.login("ana@northwind.example", goodPassword)
}

func TestSessionSettings(t *testing.T) {
	e := newUserEnv(t)
	e.p = program.New(e.store, nil, program.Config{
		Now: func() time.Time { return e.now }, SessionLifetime: time.Hour, SessionIdle: 5 * time.Minute, LoginAttempts: 2, Lockout: time.Minute,
	})
	e.addUser(e.maker, "ana@northwind.example", trustmark.RoleAdmin)
	_, s, err := e.p.Login(e.ctx, "ana@northwind.example", goodPassword)
	if err != nil || !s.ExpiresAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("Login() = %+v, %v; want expiry in 1 h", s, err)
	}
	e.p.Login(e.ctx, "ana@northwind.example", "wrong password!")
	e.p.Login(e.ctx, "ana@northwind.example", "wrong password!")
	_, _, err = e.p.Login(e.ctx, "ana@northwind.example", goodPassword)
	wantError(t, "Login(after 2 failures)", err, trustmark.KindRateLimited, "locked after 2 failed sign-ins in a row")
	e.now = start.Add(time.Minute)
	secret := e.login("ana@northwind.example", goodPassword)
	e.now = e.now.Add(5*time.Minute + time.Second)
	_, _, _, err = e.p.SessionPrincipal(e.ctx, secret)
	wantError(t, "SessionPrincipal(idle 5 min)", err, trustmark.KindUnauthenticated, "your session has ended")
}

func itoa(n int) string { return strconv.Itoa(n) }

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
