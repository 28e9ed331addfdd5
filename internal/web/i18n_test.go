package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/demo"
	"trustmark/internal/web"
)

// loadMessages reads messages/<lang>.json merged with the catalogs of the
// site's parts, messages/<part>.<lang>.json, as the server does.
func loadMessages(t *testing.T, lang string) map[string]string {
	t.Helper()
	parts, _ := filepath.Glob(filepath.Join("messages", "*."+lang+".json"))
	m := map[string]string{}
	for _, f := range append([]string{filepath.Join("messages", lang+".json")}, parts...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				t.Errorf("%s repeats the message %q", f, k)
			}
			m[k] = v
		}
	}
	return m
}

// Every message key a template or the page code names exists in every
// language, and the catalogs hold the same keys.
func TestMessageCatalogs(t *testing.T) {
	en, es := loadMessages(t, "en"), loadMessages(t, "es")
	for k := range en {
		if _, ok := es[k]; !ok {
			t.Errorf("es lacks %q", k)
		}
		if strings.Count(en[k], "%") != strings.Count(es[k], "%") {
			t.Errorf("%q: en and es have different numbers of placeholders", k)
		}
	}
	for k := range es {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	used := map[string]bool{}
	// Keys named in templates and code: T, page titles, and (portals) the
	// label and hint keys of form fields, option labels, view titles,
	// refusals, and any "portal.…" string.
	keyRE := regexp.MustCompile(`\.T "([a-z_.]+)"|\bT\("([a-z_.]+)"|newPage\(r, "([a-z_.]+)"|pageIn\([^,]+, [^,]+, "([a-z_.]+)"` +
		`|\.(?:Field|Link) "[^"]*" "([a-z_.]+)"(?: "([a-z_.]+)")?|\.Choice "[^"]*" "([a-z_.]+)" [^ "}]+(?: "([a-z_.]+)")?` +
		`|(?:Label|Title|key): "([a-z_.]+)"|refusal\([^,]+, "([a-z_.]+)"|failField\("[^"]*", "([a-z_.]+)"|"(portal\.[a-z_.]+)"`)
	// ?done=KEY shows the message portal.done.KEY.
	doneRE := regexp.MustCompile(`[?&]done=([a-z_]+)`)
	files, _ := filepath.Glob("templates/*.html")
	portalFiles, _ := filepath.Glob("templates/portal/*.html")
	files = append(files, portalFiles...)
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			for _, k := range m[1:] {
				// Skip prefixes completed by domain values (checked below)
				// and asset names such as {{asset "portal.css"}}.
				if k != "" && !strings.HasSuffix(k, ".") && !strings.HasSuffix(k, ".css") {
					used[k] = true
				}
			}
		}
		for _, m := range doneRE.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], "_") { // completed by domain values
				used["portal.done."+m[1]] = true
			}
		}
	}
	// Portal words built from domain values.
	for _, st := range []trustmark.ApplicationState{trustmark.AppDraft, trustmark.AppSubmitted, trustmark.AppInfoRequested, trustmark.AppGranted,
		trustmark.AppDenied, trustmark.AppDismissed, trustmark.AppUnderReview, trustmark.AppUnderAppeal} {
		used["portal.app_state."+string(st)] = true
	}
	for _, st := range trustmark.GrantStatuses {
		used["portal.grant_status."+string(st)] = true
	}
	for _, st := range []trustmark.ComplaintState{trustmark.ComplaintWithCLA, trustmark.ComplaintWithLead, trustmark.ComplaintWithRegulator, trustmark.ComplaintJustified, trustmark.ComplaintClosed} {
		used["portal.complaint_state."+string(st)] = true
	}
	for _, st := range []trustmark.SampleState{trustmark.SampleRequested, trustmark.SamplePassed, trustmark.SampleFailed} {
		used["portal.sample_state."+string(st)] = true
	}
	for _, k := range []trustmark.ComponentKind{trustmark.ComponentDevice, trustmark.ComponentHub, trustmark.ComponentApp, trustmark.ComponentCloud} {
		used["portal.component."+string(k)] = true
	}
	for _, code := range []int{400, 401, 403, 404, 409, 413, 422, 429, 500} { // statusOf's statuses and 413
		used[fmt.Sprintf("portal.status.%d", code)] = true
	}
	// Keys built from domain values.
	for _, st := range []string{"authorized", "suspended", "terminated", "withdrawn", "surrendered", "set_aside", "unsupported"} {
		used["status."+st+".title"], used["word."+st] = true, true
	}
	for _, u := range trustmark.UpdateModes {
		used["update."+u] = true
	}
	for _, a := range trustmark.AccessOptions {
		used["access."+a] = true
	}
	for _, c := range trustmark.ProductClasses {
		used["class."+string(c)] = true
	}
	for _, s := range trustmark.Sensings {
		used["sensor."+string(s)] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d message keys in use; the scan is broken", len(used))
	}
	for k := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("message key %q is used but not in messages/en.json", k)
		}
	}
	// No English left in templates outside message keys: text between tags
	// must come from {{...}}.
	textRE := regexp.MustCompile(`>([^<>{}]*[A-Za-z]{3,}[^<>{}]*)<`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range textRE.FindAllStringSubmatch(string(b), -1) {
			if s := strings.TrimSpace(m[1]); s != "" && s != "OSCAL JSON" && s != "NIST IR 8425" && !strings.HasPrefix(s, "/api/") {
				t.Errorf("%s: hard-coded text %q", f, s)
			}
		}
	}
}

func TestConsumerPagesInSpanish(t *testing.T) {
	e := newEnv(t, web.Config{})
	id := string(demo.LabelID("thermo-one"))
	cases := []struct {
		query, accept string
		lang, want    string
	}{
		{"", "", "en", "Authorization suspended"},
		{"?lang=es", "", "es", "Autorización suspendida"},
		{"", "es-MX,es;q=0.9,en;q=0.5", "es", "Autorización suspendida"},
		{"", "fr-CA,fr;q=0.9", "en", "Authorization suspended"},
		{"", "en;q=0.3,es;q=0.8", "es", "Autorización suspendida"},
		{"?lang=en", "es", "en", "Authorization suspended"},
		{"?lang=xx", "es", "es", "Autorización suspendida"},
	}
	for _, c := range cases {
		for _, path := range []string{"/p/" + id, "/p/" + id + "/details"} {
			h := http.Header{}
			if c.accept != "" {
				h.Set("Accept-Language", c.accept)
			}
			r := e.do(t, "GET", path+c.query, h)
			page := body(t, r)
			if r.StatusCode != 200 || !strings.Contains(page, `<html lang="`+c.lang+`">`) || !strings.Contains(page, c.want) {
				t.Errorf("GET %s%s (Accept-Language %q) = %d, want lang %s with %q", path, c.query, c.accept, r.StatusCode, c.lang, c.want)
			}
			if r.Header.Get("Vary") != "Accept-Language" {
				t.Errorf("GET %s: Vary = %q", path, r.Header.Get("Vary"))
			}
		}
	}
	es := body(t, e.do(t, "GET", "/p/"+id+"?lang=es", nil))
	for _, want := range []string{"Recopilación de datos por sensores", "Este producto <strong>no puede</strong> captar imágenes", `hreflang="en"`, `href="/p/` + id + `?lang=en"`} {
		if !strings.Contains(es, want) {
			t.Errorf("Spanish page lacks %q", want)
		}
	}
	if home := body(t, e.do(t, "GET", "/?lang=es", nil)); !strings.Contains(home, "Encontrar un producto etiquetado") || !strings.Contains(home, "14 productos") {
		t.Errorf("Spanish home page is not in Spanish")
	}
}
