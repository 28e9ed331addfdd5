package web_test

import (
	"encoding/json"
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

func loadMessages(t *testing.T, lang string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("messages", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
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
	keyRE := regexp.MustCompile(`\.T "([a-z_.]+)"|\bT\("([a-z_.]+)"|newPage\(r, "([a-z_.]+)"|pageIn\([^,]+, [^,]+, "([a-z_.]+)"`)
	files, _ := filepath.Glob("templates/*.html")
	gofiles, _ := filepath.Glob("*.go")
	for _, f := range append(files, gofiles...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			for _, k := range m[1:] {
				if k != "" && !strings.HasSuffix(k, ".") { // prefixes completed by domain values, checked below
					used[k] = true
				}
			}
		}
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
