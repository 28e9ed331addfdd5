package web_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"trustmark/internal/demo"
	"trustmark/internal/web"
)

// updateScreenshots copies the browser tests' screenshots into
// docs/screenshots (go test ./internal/web -run Browser -update-screenshots).
var updateScreenshots = flag.Bool("update-screenshots", false, "write the browser tests' screenshots to docs/screenshots")

// browser starts Debian's headless chromium for a test. Without chromium
// the test skips, unless CI is set, where it fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs Debian's chromium package")
		}
		t.Skip("browser test skipped: no chromium on PATH (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// axeSource is axe-core's script, installed by .ci/run with npm into
// testdata/axe. Without it the accessibility check skips, unless CI is set.
func axeSource(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("testdata", "axe", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("axe-core is not installed (npm install --prefix internal/web/testdata/axe): %v", err)
		}
		t.Skip("accessibility check skipped: run npm install in internal/web/testdata/axe")
	}
	return string(b)
}

// axeViolation is the part of an axe-core result the test reads.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core on the current page and fails on any
// serious or critical violation.
func checkAccessibility(t *testing.T, ctx context.Context, axe, name string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, axe, name) {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: accessibility violation %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			t.Logf("%s: minor accessibility finding %s (%s): %s", name, v.ID, v.Impact, v.Help)
		}
	}
}

// axeViolations runs axe-core's WCAG 2.x A and AA rules on the current page.
func axeViolations(t *testing.T, ctx context.Context, axe, name string) []axeViolation {
	t.Helper()
	// Injected over the DevTools protocol, which the page's CSP does not govern.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: inject axe: %v", name, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r => r.violations)`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe: %v", name, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("%s: axe result: %v", name, err)
	}
	return vs
}

// The accessibility check is not vacuous: on a page with known faults
// (an image without alt text, an unlabeled field, grey on white) it finds
// serious violations.
func TestAxeFindsViolations(t *testing.T) {
	ctx := browser(t)
	axe := axeSource(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><html><head><title>bad</title></head><body><main><img src="x.png"><input type="text"><p style="color:#ccc;background:#fff">faint</p></main></body></html>`)
	}))
	t.Cleanup(ts.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL)); err != nil {
		t.Fatal(err)
	}
	serious := map[string]bool{}
	for _, v := range axeViolations(t, ctx, axe, "bad page") {
		if v.Impact == "serious" || v.Impact == "critical" {
			serious[v.ID] = true
		}
	}
	for _, id := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !serious[id] {
			t.Errorf("axe did not report %s on a page that breaks it; got %v", id, serious)
		}
	}
}

// docScreenshots are the screenshots the docs show; -update-screenshots
// refreshes these in docs/screenshots and leaves the others in the test's
// temporary folder.
var docScreenshots = map[string]bool{
	"consumer-label-en.png": true, "consumer-suspended-en.png": true, "consumer-suspended-es.png": true,
	"consumer-details-es.png": true, "consumer-home-es.png": true,
	"cla-queue.png": true, "dashboard.png": true,
	"portal-manufacturer-home.png": true, "portal-application-declarations.png": true, "portal-vuln-alert.png": true,
}

// shoot saves a full-page screenshot into dir (and, for the screenshots
// the docs show, into docs/screenshots with -update-screenshots).
func shoot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	if *updateScreenshots && docScreenshots[name] {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "screenshots", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserConsumerPages opens label pages as a consumer would after a QR
// scan: on a phone-sized screen, in English and Spanish, switching language
// with the visible switch; checks that the page fits a 320 px screen, shows
// the status in words, loads without CSP violations and passes axe-core.
func TestBrowserConsumerPages(t *testing.T) {
	ctx := browser(t)
	axe := axeSource(t)
	e := newEnv(t, web.Config{})
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	shots := screenshotDir(t)
	t.Logf("screenshots in %s", shots)

	console := watchConsole(ctx)

	thermo := string(demo.LabelID("thermo-one"))
	cam := string(demo.LabelID("halo-cam-2k"))
	cases := []struct {
		path, lang, want, shot string
		width                  int64
	}{
		{"/p/" + cam, "en", "Authorized", "consumer-label-en.png", 390},
		{"/p/" + thermo, "en", "Authorization suspended", "consumer-suspended-en.png", 390},
		{"/p/" + thermo + "?lang=es", "es", "Autorización suspendida", "consumer-suspended-es.png", 390},
		{"/p/" + cam + "/details?lang=es", "es", "Detalles técnicos", "consumer-details-es.png", 390},
		{"/p/" + cam, "en", "Authorized", "", 320},
		{"/?lang=es", "es", "Encontrar un producto etiquetado", "consumer-home-es.png", 390},
		{"/catalogs/etsi-en-303-645/5.1-1", "en", "In other schemes", "", 390},
	}
	for _, c := range cases {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(c.width, 844, chromedp.EmulateScale(2)), chromedp.Navigate(ts.URL+c.path)); err != nil {
			t.Fatalf("open %s: %v", c.path, err)
		}
		text, err := chromedp.Run(ctx, chromedp.Text("main"))
		if err != nil || !strings.Contains(text, c.want) {
			t.Errorf("%s: main text lacks %q (%v)", c.path, c.want, err)
		}
		lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if lang != c.lang {
			t.Errorf("%s: <html lang> = %q, want %q", c.path, lang, c.lang)
		}
		// Readable at this width: nothing wider than the screen.
		overflow, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if overflow {
			t.Errorf("%s: the page scrolls sideways at %d px", c.path, c.width)
		}
		checkAccessibility(t, ctx, axe, c.path)
		if c.shot != "" {
			shoot(t, ctx, shots, c.shot)
		}
	}

	// The visible switch changes the language of the same page.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/p/"+thermo), chromedp.Click(`nav.langs a[hreflang="es"]`), chromedp.WaitVisible(`span[aria-current][lang="es"]`)); err != nil {
		t.Fatalf("language switch: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/p/"+thermo+"?lang=es") {
		t.Errorf("after the switch the page is %s", loc)
	}
	for _, m := range console.errors() {
		t.Errorf("browser console error (e.g. a CSP violation): %s", m)
	}
}

// TestConsumerPageBudget checks that each consumer page with everything it
// loads (stylesheet, mark, icons) stays under 100 KB.
func TestConsumerPageBudget(t *testing.T) {
	e := newEnv(t, web.Config{})
	ts := httptest.NewServer(e.srv)
	t.Cleanup(ts.Close)
	assetRE := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
	fetch := func(path string) int {
		resp, err := http.Get(ts.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s = %v %v", path, resp.StatusCode, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return len(b)
	}
	for _, key := range demo.Keys() {
		for _, path := range []string{"/p/" + string(demo.LabelID(key)), "/p/" + string(demo.LabelID(key)) + "/details?lang=es"} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			total := len(page)
			seen := map[string]bool{}
			for _, m := range assetRE.FindAllStringSubmatch(string(page), -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					total += fetch(m[1])
				}
			}
			if total > 100_000 || len(seen) < 2 {
				t.Errorf("%s: %d bytes with %d assets; want under 100 KB (and its assets found)", path, total, len(seen))
			}
		}
	}
}

// consoleLog gathers the browser console's errors and exceptions as the
// page runs; the listener runs on chromedp's goroutine, so reads go
// through the mutex.
type consoleLog struct {
	mu   sync.Mutex
	msgs []string
}

// watchConsole starts gathering ctx's console errors.
func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	go func() {
		for msg, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if msg.Type == "error" || msg.IsException() {
				c.mu.Lock()
				c.msgs = append(c.msgs, msg.Text)
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// errors waits a moment for late messages and returns those gathered,
// leaving out any that contain one of the expected strings (a form shown
// again with its error answers 4xx, which chromium logs).
func (c *consoleLog) errors(expected ...string) []string {
	time.Sleep(100 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if !slices.ContainsFunc(expected, func(e string) bool { return strings.Contains(m, e) }) {
			out = append(out, m)
		}
	}
	return out
}

// screenshotDir makes the folder a browser test saves its screenshots in:
// a new temporary folder that outlives the test, so the screenshots can be
// inspected afterwards (the test logs where; go test -v shows it).
func screenshotDir(t *testing.T) string {
	t.Helper()
	name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	dir, err := os.MkdirTemp("", "trustmark-"+name+"-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
