package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"trustmark"
)

//go:embed templates
var templateFS embed.FS

// pageSet holds one parsed template per page, each with the shared layout,
// and the message catalogs the pages speak.
type pageSet struct {
	byName   map[string]*template.Template
	catalogs catalogs
}

func loadPages(a *assets) (*pageSet, error) {
	funcs := template.FuncMap{
		"asset": a.url,
		"join":  strings.Join,
		"contact": func(c string) template.HTML {
			// A contact is a URL or an email address (validated on input).
			esc := template.HTMLEscapeString(c)
			switch {
			case strings.HasPrefix(c, "http://") || strings.HasPrefix(c, "https://"):
				return template.HTML(`<a href="` + esc + `" rel="nofollow noopener">` + esc + `</a>`)
			case strings.Contains(c, "@"):
				return template.HTML(`<a href="mailto:` + esc + `">` + esc + `</a>`)
			}
			return template.HTML(esc)
		},
	}
	base, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	cs, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	ps := &pageSet{byName: map[string]*template.Template{}, catalogs: cs}
	for _, name := range []string{"label.html", "details.html", "search.html", "error.html", "catalogs.html", "catalog.html", "requirement.html"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		ps.byName[name] = t
	}
	// The portals' pages have their own layout (templates/portal/layout.html)
	// with partials shared by several pages (templates/portal/part_*.html),
	// and are named "portal/<file>".
	portalBase, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/portal/layout.html", "templates/portal/part_*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse portal layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/portal/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := strings.TrimPrefix(file, "templates/")
		if name == "portal/layout.html" || strings.HasPrefix(name, "portal/part_") {
			continue
		}
		t, err := template.Must(portalBase.Clone()).ParseFS(templateFS, file)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		ps.byName[name] = t
	}
	return ps, nil
}

// page is what every page template receives: the title, the language
// (with T to translate) and the links to the same page in other languages.
type page struct {
	translator
	Title     string
	Canonical string
	NoIndex   bool
	Langs     []langLink
}

// langLink is one entry of the language switch.
type langLink struct {
	Lang, Name, Href string
	Current          bool
}

// newPage starts a page in the request's language; title is a message key
// formatted with args.
func (s *Server) newPage(r *http.Request, title string, args ...any) page {
	return s.pageIn(pickLang(r), r.URL.Path, title, args...)
}

// pageIn starts a page in lang for the given path.
func (s *Server) pageIn(lang, path, title string, args ...any) page {
	tr := translator{lang: lang, msgs: s.pages.catalogs[lang]}
	p := page{translator: tr, Title: tr.T(title, args...)}
	for _, l := range languages {
		p.Langs = append(p.Langs, langLink{Lang: l, Name: s.pages.catalogs[l]["lang.name"], Href: path + "?lang=" + l, Current: l == lang})
	}
	return p
}

// Lang is the page's language code, for <html lang>.
func (p page) Lang() string { return p.lang }

// errorPage is the data of error.html.
type errorPage struct {
	page
	Status  int
	Message string
}

// renderBytes executes a page template into memory, so a failure never
// leaves a half-written response.
func (s *Server) renderBytes(name string, data any) ([]byte, error) {
	t, ok := s.pages.byName[name]
	if !ok {
		return nil, trustmark.Internal(fmt.Errorf("no template %s", name))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return nil, trustmark.Internal(fmt.Errorf("render %s: %w", name, err))
	}
	return buf.Bytes(), nil
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	b, err := s.renderBytes(name, data)
	if err != nil {
		s.logFault(r, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
