package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"trustmark/internal/demo"
)

// signInAs signs in through the form as a demo user.
func (f *portalFlow) signInAs(email string) {
	f.t.Helper()
	f.open("/portal/login")
	f.check("/portal/login", "Sign in", "")
	f.do("type credentials", chromedp.SendKeys(`#f-email`, email), chromedp.SendKeys(`#f-password`, demo.Password))
	f.submit(`main button[type=submit]`)
}

// TestBrowserVulnPortal visits the vulnerability monitoring pages in
// chromium on the demo dataset: the manufacturer's alerts, one alert, the
// product's SBOM page and an SBOM; then the CLA's alert page, where a
// finding without a surveillance plan is refused beside the form. Every
// page passes axe-core, fits a phone and loads without console errors.
func TestBrowserVulnPortal(t *testing.T) {
	ctx := browser(t)
	axe := axeSource(t)
	w := newCLAEnv(t)
	ts := httptest.NewServer(w.srv)
	t.Cleanup(ts.Close)
	f := &portalFlow{t: t, ctx: ctx, axe: axe, url: ts.URL, shots: screenshotDir(t)}
	t.Logf("screenshots in %s", f.shots)
	f.console = watchConsole(ctx)
	f.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	critical := w.demoAlert("halo-cam-2k", "DEMO-2026-0001")

	f.signInAs(mfrUser)
	f.check("/portal/manufacturer/", "open vulnerability alerts", "")
	f.submit(`nav.portal-nav a[href="/portal/vuln/alerts"]`)
	f.check("/portal/vuln/alerts", "CPE only: lower confidence", "portal-vuln-alerts.png")
	f.submit(`main a[href="/portal/vuln/alerts/` + critical.ID + `"]`)
	f.check("/portal/vuln/alerts/"+critical.ID, "3.0.13-1~deb12u1", "portal-vuln-alert.png")
	f.submit(`main a[href="/portal/vuln/products/` + critical.ProductID + `"]`)
	f.check("/portal/vuln/products/"+critical.ProductID, "vulnerable_code_not_present", "portal-vuln-product.png")
	f.submit(`main a[href="/portal/vuln/sboms/` + critical.SBOMID + `"]`)
	f.check("/portal/vuln/sboms/"+critical.SBOMID, "sensor-isp-firmware", "")
	f.open("/portal/vuln/webhooks")
	f.check("/portal/vuln/webhooks", "Add a webhook", "")
	f.submit(`form.logout button`)
	f.check("/portal/login", "You have signed out.", "")

	f.signInAs(keystoneUser)
	f.open("/portal/vuln/alerts")
	f.check("/portal/vuln/alerts", "Lumen & Oak Home Hub", "portal-vuln-cla-alerts.png")
	f.open("/portal/vuln/alerts/" + critical.ID)
	f.check("/portal/vuln/alerts/"+critical.ID, "Turn into a surveillance finding", "portal-vuln-cla-alert.png")
	f.do("write the finding", chromedp.SendKeys(`#f-note`, "Critical OpenSSL flaw in the shipping firmware."))
	f.submit(`form[action$="/finding"] button[type=submit]`)
	f.check("/portal/vuln/alerts/"+critical.ID, "Draw this year's surveillance plan", "portal-vuln-cla-needs-plan.png")
	if v, _ := chromedp.Run(f.ctx, chromedp.Value(`#f-note`)); !strings.Contains(v, "OpenSSL") {
		f.t.Errorf("after the refusal the note is %q", v)
	}
	// The refusal answers 422, which chromium logs as a failed load.
	f.expectedConsole = append(f.expectedConsole, "status of 422")
	f.finish()
}
