package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/gif" // verify --image reads GIF, JPEG and PNG pictures
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"trustmark"
	"trustmark/internal/criteria"
	"trustmark/internal/label"
	"trustmark/internal/program"
)

const labelSynopsis = `label render --label-id ID --out FILE --base-url URL [flags]

Renders a label's print artwork from the store, as the manufacturer's
packaging printer needs it: the program's mark, the QR code of
{base-url}/p/{label_id}, the label ID beneath it and, with --support-date,
the end of the support period, all in one ink. The store is read as serve
reads it (--data or --database-url; an SQLite store must already exist);
the log key is not needed. Artwork is made only for an active grant.

Sizes (width × height): small 20 × 32 mm (packaging), medium 30 × 48 mm,
large 45 × 72 mm, horizontal 44 × 22 mm. Formats: svg (vector, sized in
mm), pdf (one page of the label's size), png (at --dpi). The QR code uses
error correction level Q and a 4-module quiet zone; a size, base URL or
dpi that would print modules under 0.33 mm is refused.

Exit codes: 0 written; 1 the grant is unknown or not active, or the store
failed; 2 usage error (including a size or dpi that cannot print).`

// runLabel implements "trustmark label render".
func runLabel(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("label", labelSynopsis, stderr)
	var st storeFlags
	var base, idArg, format, size, out, markFile string
	var dpi int
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	ef.str(&base, "base-url", "TRUSTMARK_BASE_URL", "", "public URL the QR code points to, as serve's --base-url, e.g. https://labels.example.org (required)")
	ef.str(&markFile, "mark", "TRUSTMARK_LABEL_MARK", "", "the program's mark as single-ink SVG (filled paths, one color plus white); default: the built-in neutral shield")
	fs.StringVar(&idArg, "label-id", "", "the label ID to render (required)")
	fs.StringVar(&format, "format", "", "svg, pdf or png (default: from --out's extension)")
	fs.StringVar(&size, "size", string(label.Medium), "small, medium, large or horizontal")
	fs.IntVar(&dpi, "dpi", label.DefaultDPI, fmt.Sprintf("PNG resolution, %d to %d dots per inch", label.MinDPI, label.MaxDPI))
	withDate := fs.Bool("support-date", false, "print \"Support until YYYY-MM-DD\" (the record's support date) beneath the label ID")
	fs.StringVar(&out, "out", "", "the file to write (required; - writes to standard output)")
	asJSON := fs.Bool("json", false, "describe what was written as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := errors.Join(ef.errs...); err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 || pos[0] != "render" {
		fs.Usage()
		return usageError{"label needs the subcommand render"}
	}
	opts, err := labelOptions(fs, idArg, format, size, out, dpi)
	if err != nil {
		return err
	}
	if base == "" {
		return usageError{"label render needs --base-url (or TRUSTMARK_BASE_URL): the public URL the QR code points to, the one serve uses"}
	}
	if base, err = baseURL(base, ""); err != nil {
		return err
	}
	opts.URL = label.URL(base, opts.LabelID)
	var mark *label.Mark
	if markFile != "" {
		b, err := os.ReadFile(markFile)
		if err != nil {
			return usageError{fmt.Sprintf("--mark: %v", err)}
		}
		if mark, err = label.ParseMark(b); err != nil {
			return usageError{fmt.Sprintf("--mark %s: %v", markFile, err)}
		}
	}
	r, err := label.New(mark)
	if err != nil {
		return err
	}

	// An SQLite store must exist: a mistyped --data would otherwise create
	// an empty one and report the label unknown.
	if st.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(st.Data, "trustmark.db")); err != nil {
			return fmt.Errorf("no trustmark store in %s: give the --data directory serve uses (or --database-url)", st.Data)
		}
	}
	db, err := openStore(ctx, st, false)
	if err != nil {
		return err
	}
	defer db.Close()
	set, err := criteria.Embedded()
	if err != nil {
		return err
	}
	rec, err := program.New(db, set, program.Config{}).OperatorLabelArtwork(ctx, opts.LabelID)
	if err != nil {
		return err
	}
	if *withDate {
		opts.SupportDate = rec.SupportDate
	}
	var buf bytes.Buffer
	if err := r.Render(&buf, opts); err != nil {
		var te *trustmark.Error
		if errors.As(err, &te) && te.Kind == trustmark.KindInvalid {
			flagName := map[string]string{"url": "base-url", "label_id": "label-id", "support_date": "support-date"}[te.Field]
			if flagName == "" {
				flagName = te.Field
			}
			return usageError{"--" + flagName + ": " + te.Message}
		}
		return err
	}
	if out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(out, buf.Bytes()); err != nil {
		return err
	}
	w, h, _ := opts.Size.Dimensions()
	desc := map[string]any{"file": out, "label_id": opts.LabelID, "url": opts.URL, "format": opts.Format, "size": opts.Size,
		"width_mm": w, "height_mm": h, "bytes": buf.Len()}
	px := ""
	if opts.Format == label.PNG {
		pw, ph, _ := label.PixelSize(opts.Size, opts.DPI)
		desc["dpi"], desc["width_px"], desc["height_px"] = opts.DPI, pw, ph
		px = fmt.Sprintf(", %d × %d px at %d dpi", pw, ph, opts.DPI)
	}
	if *asJSON {
		return printJSON(stdout, desc)
	}
	fmt.Fprintf(stdout, "wrote %s: %s label %s, %g × %g mm%s; its QR code opens %s\n", out, opts.Size, opts.LabelID, w, h, px, opts.URL)
	return nil
}

// labelOptions checks the flags that need no store.
func labelOptions(fs *flag.FlagSet, idArg, format, size, out string, dpi int) (label.Options, error) {
	var o label.Options
	if idArg == "" || out == "" {
		return o, usageError{"label render needs --label-id ID and --out FILE"}
	}
	id, err := trustmark.ParseLabelID(idArg)
	if err != nil {
		return o, usageError{"--label-id: " + trustmark.PublicMessage(err)}
	}
	o.LabelID = id
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
		if out == "-" || format == "" {
			return o, usageError{"give --format svg, pdf or png (it cannot be told from --out)"}
		}
	}
	o.Format = label.Format(format)
	if !slices.Contains(label.Formats, o.Format) {
		return o, usageError{fmt.Sprintf("--format %q: use svg, pdf or png", format)}
	}
	o.Size = label.Size(size)
	if _, _, ok := o.Size.Dimensions(); !ok {
		return o, usageError{fmt.Sprintf("--size %q: use small, medium, large or horizontal", size)}
	}
	dpiSet := false
	fs.Visit(func(f *flag.Flag) { dpiSet = dpiSet || f.Name == "dpi" })
	switch {
	case o.Format == label.PNG:
		o.DPI = dpi
	case dpiSet:
		return o, usageError{fmt.Sprintf("--dpi applies to PNG only; %s is a vector format with the physical size built in", o.Format)}
	}
	return o, nil
}

// writeFileAtomic writes a file through a temporary one in the same
// directory, so a failed run never leaves half an artwork file behind.
func writeFileAtomic(name string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// labelURLFromImage reads the QR code in a picture of a label (PNG, JPEG
// or GIF) and returns the label URL it holds. A file that is no picture
// is a usage error; a picture without a readable QR code, or with one that
// holds no label URL, is a verification failure.
func labelURLFromImage(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", usageError{fmt.Sprintf("--image: %v", err)}
	}
	defer f.Close()
	img, _, err := image.Decode(io.LimitReader(f, 64<<20))
	if err != nil {
		return "", usageError{fmt.Sprintf("--image %s is not a PNG, JPEG or GIF picture: %v", path, err)}
	}
	text, err := label.ReadQR(img)
	if err != nil {
		return "", fmt.Errorf("%s: %w; photograph the label's QR code square-on, in focus and filling a good part of the picture", path, err)
	}
	if labelURL.FindStringSubmatch(text) == nil {
		return "", fmt.Errorf("the QR code in %s holds %q, which is not a trustmark label URL (https://host/p/LABEL-ID)", path, truncateMsg(text))
	}
	return text, nil
}
