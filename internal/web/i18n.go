package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

// The public pages speak English and Spanish. Every string they show comes
// from a message catalog in messages/<lang>.json, merged with the catalogs
// of parts of the site in messages/<part>.<lang>.json (portal.en.json);
// templates and page code only name keys.
//
//go:embed messages/*.json
var messagesFS embed.FS

// languages are the supported languages, the default first.
var languages = []string{"en", "es"}

// catalogs maps a language to its messages.
type catalogs map[string]map[string]string

func loadCatalogs() (catalogs, error) {
	cs := catalogs{}
	for _, lang := range languages {
		b, err := messagesFS.ReadFile(path.Join("messages", lang+".json"))
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: messages/%s.json: %w", lang, err)
		}
		parts, err := fs.Glob(messagesFS, "messages/*."+lang+".json")
		if err != nil {
			return nil, err
		}
		for _, p := range parts {
			b, err := messagesFS.ReadFile(p)
			if err != nil {
				return nil, err
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("web: %s: %w", p, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("web: %s repeats the message %q", p, k)
				}
				m[k] = v
			}
		}
		cs[lang] = m
	}
	for k := range cs["en"] {
		for _, lang := range languages[1:] {
			if _, ok := cs[lang][k]; !ok {
				return nil, fmt.Errorf("web: messages/%s.json lacks %q", lang, k)
			}
		}
	}
	return cs, nil
}

// translator renders messages in one language.
type translator struct {
	lang string
	msgs map[string]string
}

// T returns the message for key, formatted with args. A key that is no
// message is itself the format (pages use "%s" for text that is data, such
// as a catalog's own title); tests check that every message key exists.
func (t translator) T(key string, args ...any) string {
	m, ok := t.msgs[key]
	if !ok {
		m = key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// langIndex is the position of lang in languages.
func langIndex(lang string) int {
	for i, l := range languages {
		if l == lang {
			return i
		}
	}
	return 0
}

// pickLang chooses the page language: ?lang= when supported, else the
// best supported language of Accept-Language, else English.
func pickLang(r *http.Request) string {
	if r.URL.RawQuery == "" && r.Header.Get("Accept-Language") == "" {
		return languages[0] // the common case of a QR scan: nothing to parse
	}
	if l := r.URL.Query().Get("lang"); l != "" {
		for _, s := range languages {
			if strings.EqualFold(l, s) {
				return s
			}
		}
	}
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		prefs = append(prefs, pref{base, q})
	}
	sort.SliceStable(prefs, func(i, j int) bool { return prefs[i].q > prefs[j].q })
	for _, p := range prefs {
		for _, s := range languages {
			if p.lang == s && p.q > 0 {
				return s
			}
		}
	}
	return languages[0]
}
