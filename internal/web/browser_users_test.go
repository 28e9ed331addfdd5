package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// signInWith signs in through the form with an email and a password.
func (f *portalFlow) signInWith(email, password string) {
	f.t.Helper()
	f.open("/portal/login")
	f.check("/portal/login", "Sign in", "")
	f.do("type credentials", chromedp.SendKeys(`#f-email`, email), chromedp.SendKeys(`#f-password`, password))
	f.submit(`main button[type=submit]`)
}

// TestBrowserUsers visits the users and password pages in chromium on the
// demo dataset: an admin of a manufacturer opens the users page, adds a
// user (a bad email first, refused beside its field) and gets the
// one-time password; the new user signs in with it and changes it at
// /portal/password (a mismatch first); the admin then disables the user.
// Every page passes axe-core, fits a 390 px phone and loads without
// console errors.
func TestBrowserUsers(t *testing.T) {
	ctx := browser(t)
	axe := axeSource(t)
	w := newCLAEnv(t)
	ts := httptest.NewServer(w.srv)
	t.Cleanup(ts.Close)
	f := &portalFlow{t: t, ctx: ctx, axe: axe, url: ts.URL, shots: screenshotDir(t)}
	t.Logf("screenshots in %s", f.shots)
	f.console = watchConsole(ctx)
	f.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))

	// The admin opens the users page from the portal's navigation.
	f.signInAs(mfrUser)
	f.check("/portal/manufacturer/", "What needs your attention", "")
	f.submit(`nav.portal-nav a[href="/portal/users"]`)
	f.check("/portal/users", "Ana Ruiz", "portal-users.png")

	// Adding a user: a bad email comes back beside its field, with what was typed.
	const name, email = "Dana Diaz", "dana@northwind.example"
	f.do("type the new user", chromedp.SendKeys(`#f-name`, name), chromedp.SendKeys(`#f-email`, "dana at northwind"),
		chromedp.SetValue(`#f-role`, "viewer"))
	f.submit(`main form[action="/portal/users"] button[type=submit]`)
	f.check("/portal/users", "There is a problem", "portal-users-error.png")
	if v, _ := chromedp.Run(f.ctx, chromedp.Value(`#f-name`)); v != name {
		f.t.Errorf("after the error the name is %q, want %q", v, name)
	}
	if v, _ := chromedp.Run(f.ctx, chromedp.Value(`#f-role`)); v != "viewer" {
		f.t.Errorf("after the error the role is %q, want viewer", v)
	}
	if desc, _ := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.getElementById("f-email").getAttribute("aria-describedby") || ""`)); !strings.Contains(desc, "f-email-error") {
		f.t.Errorf("the email field is described by %q, want its error", desc)
	}
	f.do("fix the email", chromedp.SetValue(`#f-email`, email))
	f.submit(`main form[action="/portal/users"] button[type=submit]`)

	// The answer shows the generated password once.
	f.check("/portal/users", name+" has been added", "portal-users-added.png")
	password, err := chromedp.Run(f.ctx, chromedp.Text(`main .secret`))
	if password = strings.TrimSpace(password); err != nil || len(password) != 24 {
		f.t.Fatalf("the one-time password on the answer = %q, %v; want 24 characters", password, err)
	}
	if text, _ := chromedp.Run(f.ctx, chromedp.Text("main")); !strings.Contains(text, email) || !strings.Contains(text, "Viewer") {
		f.t.Errorf("the answer does not name %s as a viewer:\n%s", email, text)
	}
	f.submit(`main a.button[href="/portal/users"]`)
	f.check("/portal/users", email, "")
	if text, _ := chromedp.Run(f.ctx, chromedp.Text("main")); strings.Contains(text, password) {
		f.t.Errorf("the users page shows the one-time password again")
	}
	f.signOut()

	// The new user signs in with it and changes it: a mismatch first.
	f.signInWith(email, password)
	f.check("/portal/manufacturer/", "What needs your attention", "")
	f.submit(`nav.portal-nav a[href="/portal/password"]`)
	f.check("/portal/password", "Change your password", "portal-password.png")
	const newPassword = "a new passphrase for dana"
	f.do("mistype the new password", chromedp.SendKeys(`#f-old_password`, password), chromedp.SendKeys(`#f-new_password`, newPassword),
		chromedp.SendKeys(`#f-confirm_password`, newPassword+"!"))
	f.submit(`main form[action="/portal/password"] button[type=submit]`)
	f.check("/portal/password", "The two new passwords differ", "portal-password-error.png")
	f.do("type the passwords again", chromedp.SendKeys(`#f-old_password`, password), chromedp.SendKeys(`#f-new_password`, newPassword),
		chromedp.SendKeys(`#f-confirm_password`, newPassword))
	f.submit(`main form[action="/portal/password"] button[type=submit]`)
	f.check("/portal/", "Your password has been changed", "")
	f.signOut()
	f.signInWith(email, newPassword)
	f.check("/portal/manufacturer/", "What needs your attention", "")
	f.signOut()

	// The admin disables the user, after confirming.
	f.signInAs(mfrUser)
	f.open("/portal/users")
	f.check("/portal/users", email, "")
	href, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('main a[href$="/disable"]')].find(a => a.textContent.includes("Dana")).getAttribute("href")`))
	if err != nil || !strings.HasPrefix(href, "/portal/users/usr_") {
		f.t.Fatalf("no link to disable %s: %q, %v", name, href, err)
	}
	f.submit(`main a[href="` + href + `"]`)
	f.check(href, "Disable "+name+" ("+email+")?", "portal-users-disable.png")
	f.submit(`main form[action="` + href + `"] button[type=submit]`)
	f.check("/portal/users", "The user has been disabled", "")
	if text, _ := chromedp.Run(f.ctx, chromedp.Text("main")); !strings.Contains(text, "Disabled on") {
		f.t.Errorf("the users page does not show %s disabled:\n%s", name, text)
	}
	f.finish()
}
