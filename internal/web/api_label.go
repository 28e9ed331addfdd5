package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"trustmark"
	"trustmark/internal/label"
)

// GET /api/v1/labels/{label_id}/{file}, file being artwork.svg,
// artwork.pdf or artwork.png, with ?size=small|medium|large|horizontal
// (default medium), ?dpi= (PNG only; default 300) and ?support_date=true
// to print the end of the support period: the label's print artwork, for
// the grant's manufacturer and CLA, while the grant is active.
func (s *Server) handleLabelArtwork(w http.ResponseWriter, r *http.Request, pr *trustmark.Principal) error {
	id, err := labelParam(r)
	if err != nil {
		return err
	}
	file := r.PathValue("file")
	ext, _ := strings.CutPrefix(file, "artwork.")
	format := label.Format(ext)
	if !strings.HasPrefix(file, "artwork.") || !slices.Contains(label.Formats, format) {
		return trustmark.Errorf(trustmark.KindNotFound, "no file %q: a label's artwork is artwork.svg, artwork.pdf or artwork.png", truncateParam(file))
	}
	rec, err := s.program.LabelArtwork(r.Context(), pr, id)
	if err != nil {
		return err
	}
	opts, withDate, err := artworkQuery(r, format)
	if err != nil {
		return err
	}
	opts.URL, opts.LabelID = label.URL(s.base, id), id
	if withDate {
		opts.SupportDate = rec.SupportDate
	}
	// Artwork is asked for rarely (once per print run), so the renderer
	// (two parsed fonts and the mark) is made per request.
	rd, err := label.New(nil)
	if err != nil {
		return trustmark.Internal(err)
	}
	var buf bytes.Buffer
	if err := rd.Render(&buf, opts); err != nil {
		if trustmark.IsKind(err, trustmark.KindInvalid) {
			return err
		}
		return trustmark.Internal(err)
	}
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+string(id)+"-"+string(opts.Size)+"."+string(format)+`"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "private, no-store") // it stops being valid when the grant does
	w.Write(buf.Bytes())
	return nil
}

// artworkQuery reads the artwork's query parameters; unknown ones are
// refused, so a misspelt one is not silently ignored.
func artworkQuery(r *http.Request, format label.Format) (label.Options, bool, error) {
	o := label.Options{Format: format, Size: label.Medium}
	q := r.URL.Query()
	for k := range q {
		if k != "size" && k != "dpi" && k != "support_date" {
			return o, false, trustmark.FieldError(truncateParam(k), "is not a parameter of label artwork: use size, dpi and support_date")
		}
	}
	if v := q.Get("size"); v != "" {
		o.Size = label.Size(v)
		if _, _, ok := o.Size.Dimensions(); !ok {
			return o, false, trustmark.FieldError("size", "%q is not a label size: use small, medium, large or horizontal", truncateParam(v))
		}
	}
	if v := q.Get("dpi"); v != "" {
		if format != label.PNG {
			return o, false, trustmark.FieldError("dpi", "applies to artwork.png only; %s is a vector format with the physical size built in", format)
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return o, false, trustmark.FieldError("dpi", "%q is not a whole number of dots per inch (%d to %d)", truncateParam(v), label.MinDPI, label.MaxDPI)
		}
		if n < label.MinDPI || n > label.MaxDPI {
			return o, false, trustmark.FieldError("dpi", "%d is out of range: use %d to %d dots per inch", n, label.MinDPI, label.MaxDPI)
		}
		o.DPI = n
	}
	withDate := false
	if v := q.Get("support_date"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return o, false, trustmark.FieldError("support_date", "%q is not true or false", truncateParam(v))
		}
		withDate = b
	}
	return o, withDate, nil
}

// truncateParam keeps an echoed request value short.
func truncateParam(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
