package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/demo"
	"trustmark/internal/label"
	"trustmark/internal/program"
	"trustmark/internal/web"
)

// labelTokens returns the Authorization headers of a viewer token of each
// named demo organization.
func labelTokens(t *testing.T, e *env, orgs ...string) map[string]http.Header {
	t.Helper()
	set, err := criteria.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	p := program.New(e.store, set, program.Config{})
	out := map[string]http.Header{}
	for _, org := range orgs {
		_, secret, err := p.OperatorToken(context.Background(), org, "Artwork Tester", trustmark.RoleViewer)
		if err != nil {
			t.Fatalf("OperatorToken(%s) = %v", org, err)
		}
		out[org] = http.Header{"Authorization": {"Bearer " + secret}}
	}
	return out
}

// TestLabelArtworkAPI fetches the artwork of an active demo grant in every
// format as its manufacturer and CLA, reads the QR code back, and checks
// who else is refused and how.
func TestLabelArtworkAPI(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := labelTokens(t, e, "org_demo_northwind", "org_demo_keystone", "org_demo_meridian", "org_demo_ferrous", "org_demo_bluepeak", "org_demo_lead")
	cam := string(demo.LabelID("halo-cam-2k")) // Northwind's, CLA Keystone, lab Ferrous; active
	want := base + "/p/" + cam

	for _, who := range []string{"org_demo_northwind", "org_demo_keystone"} {
		for _, c := range []struct{ query, contentType, magic string }{
			{"artwork.svg", "image/svg+xml", "<?xml"},
			{"artwork.svg?size=horizontal&support_date=true", "image/svg+xml", "<?xml"},
			{"artwork.pdf?size=small", "application/pdf", "%PDF-"},
			{"artwork.png", "image/png", "\x89PNG"},
			{"artwork.png?size=large&dpi=150&support_date=false", "image/png", "\x89PNG"},
		} {
			r := e.do(t, "GET", "/api/v1/labels/"+cam+"/"+c.query, tok[who])
			b := body(t, r)
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != c.contentType || !strings.HasPrefix(b, c.magic) {
				t.Fatalf("GET %s as %s = %d %s %.120q", c.query, who, r.StatusCode, r.Header.Get("Content-Type"), b)
			}
			if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+cam+"-") {
				t.Errorf("Content-Disposition = %q", cd)
			}
			if r.Header.Get("Cache-Control") != "private, no-store" {
				t.Errorf("Cache-Control = %q", r.Header.Get("Cache-Control"))
			}
			if c.contentType == "image/png" {
				img, err := png.Decode(strings.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := label.ReadQR(img); err != nil || got != want {
					t.Errorf("QR code of %s = %q, %v; want %q", c.query, got, err, want)
				}
			}
		}
	}
	// The PNG is the physical size × dpi; the date appears only when asked for.
	r := e.do(t, "GET", "/api/v1/labels/"+cam+"/artwork.png?size=large&dpi=150", tok["org_demo_northwind"])
	cfg, err := png.DecodeConfig(r.Body)
	if w, h, _ := label.PixelSize(label.Large, 150); err != nil || cfg.Width != w || cfg.Height != h {
		t.Errorf("large PNG at 150 dpi = %d × %d (%v), want %d × %d", cfg.Width, cfg.Height, err, w, h)
	}
	plain := body(t, e.do(t, "GET", "/api/v1/labels/"+cam+"/artwork.svg", tok["org_demo_northwind"]))
	dated := body(t, e.do(t, "GET", "/api/v1/labels/"+cam+"/artwork.svg?support_date=true", tok["org_demo_northwind"]))
	if len(dated) <= len(plain) {
		t.Errorf("support_date=true did not add the support line (%d bytes, without %d)", len(dated), len(plain))
	}

	thermo := string(demo.LabelID("thermo-one")) // Northwind's, suspended
	cases := []struct {
		name, path, who string
		status          int
		code, says      string
	}{
		{"no token", cam + "/artwork.svg", "", 401, "unauthenticated", "API token"},
		{"another manufacturer", cam + "/artwork.svg", "org_demo_bluepeak", 404, "not_found", "not found"},
		{"another CLA", cam + "/artwork.svg", "org_demo_meridian", 404, "not_found", "not found"},
		{"the grant's lab", cam + "/artwork.svg", "org_demo_ferrous", 403, "forbidden", "manufacturer and its CLA"},
		{"the Lead Administrator", cam + "/artwork.pdf", "org_demo_lead", 403, "forbidden", "overseers"},
		{"a suspended grant", thermo + "/artwork.svg", "org_demo_northwind", 409, "conflict", "suspended"},
		{"an unknown label", string(trustmark.DeriveLabelID("no such label")) + "/artwork.svg", "org_demo_northwind", 404, "not_found", "not found"},
		{"a malformed label ID", "NOT-A-LABEL/artwork.svg", "org_demo_northwind", 400, "invalid", "label"},
		{"an unknown format", cam + "/artwork.gif", "org_demo_northwind", 404, "not_found", "artwork.svg, artwork.pdf or artwork.png"},
		{"another file", cam + "/logo.svg", "org_demo_northwind", 404, "not_found", "artwork.svg"},
		{"an unknown size", cam + "/artwork.svg?size=huge", "org_demo_northwind", 400, "invalid", "size: \"huge\" is not a label size"},
		{"dpi too low", cam + "/artwork.png?dpi=72", "org_demo_northwind", 400, "invalid", "dpi: 72 is out of range: use 100 to 1200"},
		{"dpi too high", cam + "/artwork.png?dpi=9600", "org_demo_northwind", 400, "invalid", "out of range"},
		{"dpi not a number", cam + "/artwork.png?dpi=high", "org_demo_northwind", 400, "invalid", "whole number"},
		{"dpi for a vector format", cam + "/artwork.pdf?dpi=300", "org_demo_northwind", 400, "invalid", "artwork.png only"},
		{"modules below the printable minimum", cam + "/artwork.png?size=small&dpi=100", "org_demo_northwind", 400, "invalid", "printable minimum"},
		{"a misspelt parameter", cam + "/artwork.svg?sise=small", "org_demo_northwind", 400, "invalid", "use size, dpi and support_date"},
		{"support_date not a boolean", cam + "/artwork.svg?support_date=maybe", "org_demo_northwind", 400, "invalid", "true or false"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, "GET", "/api/v1/labels/"+c.path, tok[c.who])
			if r.StatusCode != c.status {
				t.Fatalf("GET %s = %d %s, want %d", c.path, r.StatusCode, body(t, r), c.status)
			}
			code, msg := apiErr(t, r)
			if code != c.code || !strings.Contains(msg, c.says) {
				t.Errorf("GET %s error = %s %q, want %s saying %q", c.path, code, msg, c.code, c.says)
			}
		})
	}
}

// TestGrantViewLinksArtwork checks that the manufacturer's and the CLA's
// view of an active grant links its artwork, and nobody else's does.
func TestGrantViewLinksArtwork(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := labelTokens(t, e, "org_demo_northwind", "org_demo_keystone", "org_demo_ferrous")
	cam := string(demo.LabelID("halo-cam-2k"))
	thermo := string(demo.LabelID("thermo-one"))
	view := func(id, who string) map[string]any {
		t.Helper()
		r := e.do(t, "GET", "/api/v1/grants/"+id, tok[who])
		if r.StatusCode != 200 {
			t.Fatalf("GET grant %s as %s = %d %s", id, who, r.StatusCode, body(t, r))
		}
		var v map[string]any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, who := range []string{"org_demo_northwind", "org_demo_keystone"} {
		links, _ := view(cam, who)["artwork"].(map[string]any)
		for _, f := range []string{"svg", "pdf", "png"} {
			link, _ := links[f].(string)
			if link != "/api/v1/labels/"+cam+"/artwork."+f {
				t.Fatalf("%s's view: artwork.%s = %q", who, f, link)
			}
			r := e.do(t, "GET", link+"?size=small", tok[who])
			io.Copy(io.Discard, r.Body)
			if r.StatusCode != 200 {
				t.Errorf("following %s as %s = %d", link, who, r.StatusCode)
			}
		}
	}
	if v := view(cam, "org_demo_ferrous"); v["artwork"] != nil {
		t.Errorf("the lab's view links artwork: %v", v["artwork"])
	}
	if v := view(thermo, "org_demo_northwind"); v["artwork"] != nil {
		t.Errorf("the view of a suspended grant links artwork: %v", v["artwork"])
	}
}

// TestLabelArtworkServerBaseURL checks that the QR code points at the
// server's configured base URL.
func TestLabelArtworkServerBaseURL(t *testing.T) {
	e := newEnv(t, web.Config{})
	tok := labelTokens(t, e, "org_demo_bluepeak")
	id := string(demo.LabelID("echosphere"))
	r := e.do(t, "GET", "/api/v1/labels/"+id+"/artwork.png?size=horizontal", tok["org_demo_bluepeak"])
	b, _ := io.ReadAll(r.Body)
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("GET artwork.png = %d, %v", r.StatusCode, err)
	}
	if got, err := label.ReadQR(img); err != nil || got != base+"/p/"+id {
		t.Errorf("QR code = %q, %v; want %s/p/%s", got, err, base, id)
	}
}
