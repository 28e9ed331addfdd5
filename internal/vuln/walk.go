package vuln

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"trustmark"
)

// progressEvery is how many records Walk reads between progress calls.
const progressEvery = 1000

// Walk reads OSV records from path, which is a single .json file, a .zip
// archive as OSV publishes per ecosystem (e.g. "npm/all.zip"), or a
// directory searched recursively for both (hidden entries skipped). Records
// are visited in a stable order: files by path, zip members in archive
// order. For each record Walk calls fn with a name for messages ("GHSA-x.json"
// relative to a directory, or "npm/all.zip:GHSA-x.json") and the record's
// bytes. progress, if not nil, is called with (0, total) before the first
// record, every 1,000 records and once at the end; total counts the .json
// files and the .json members of the archives, so it is known up front.
//
// Walk stops at the first error from fn and returns it with the record's
// name in front; a *trustmark.Error keeps its kind. Errors of its own:
// KindInvalid when path does not exist or is not a .json file, a .zip or a
// directory, when an archive is corrupt, and when a record exceeds
// MaxRecordSize (so a zip bomb cannot exhaust memory).
func Walk(path string, fn func(name string, raw []byte) error, progress func(done, total int)) error {
	info, err := os.Stat(path)
	if err != nil {
		return trustmark.Errorf(trustmark.KindInvalid, "cannot read OSV records from %s: %v", path, errors.Unwrap(err))
	}
	type source struct {
		name, file string
		zip        bool
	}
	var sources []source
	switch {
	case info.IsDir():
		err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != path && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(path, p)
			switch strings.ToLower(filepath.Ext(p)) {
			case ".json":
				sources = append(sources, source{name: filepath.ToSlash(rel), file: p})
			case ".zip":
				sources = append(sources, source{name: filepath.ToSlash(rel), file: p, zip: true})
			}
			return nil
		})
		if err != nil {
			return trustmark.Errorf(trustmark.KindInvalid, "cannot list OSV records in %s: %v", path, err)
		}
	case strings.EqualFold(filepath.Ext(path), ".json"):
		sources = []source{{name: filepath.Base(path), file: path}}
	case strings.EqualFold(filepath.Ext(path), ".zip"):
		sources = []source{{name: filepath.Base(path), file: path, zip: true}}
	default:
		return trustmark.Errorf(trustmark.KindInvalid, "%s is not a directory, a .json file or a .zip archive of OSV records", path)
	}
	slices.SortFunc(sources, func(a, b source) int { return strings.Compare(a.name, b.name) })

	// Count first, so progress knows the total; archives stay open.
	total := 0
	archives := map[string]*zip.ReadCloser{}
	defer func() {
		for _, z := range archives {
			z.Close()
		}
	}()
	for _, s := range sources {
		if !s.zip {
			total++
			continue
		}
		z, err := zip.OpenReader(s.file)
		if err != nil {
			return trustmark.Errorf(trustmark.KindInvalid, "%s: not a readable zip archive: %v", s.name, err)
		}
		archives[s.file] = z
		for _, f := range z.File {
			if isRecordMember(f) {
				total++
			}
		}
	}

	done := 0
	report := func(force bool) {
		if progress != nil && (force || done%progressEvery == 0) {
			progress(done, total)
		}
	}
	report(true)
	visit := func(name string, raw []byte) error {
		if err := fn(name, raw); err != nil {
			return nameError(name, err)
		}
		done++
		report(false)
		return nil
	}
	for _, s := range sources {
		if !s.zip {
			raw, err := readLimited(s.file)
			if err != nil {
				return nameError(s.name, err)
			}
			if err := visit(s.name, raw); err != nil {
				return err
			}
			continue
		}
		for _, f := range archives[s.file].File {
			if !isRecordMember(f) {
				continue
			}
			name := s.name + ":" + f.Name
			raw, err := readMember(f)
			if err != nil {
				return nameError(name, err)
			}
			if err := visit(name, raw); err != nil {
				return err
			}
		}
	}
	if done%progressEvery != 0 {
		report(true)
	}
	return nil
}

func isRecordMember(f *zip.File) bool {
	return !f.FileInfo().IsDir() && strings.EqualFold(filepath.Ext(f.Name), ".json")
}

// nameError puts a record's name in front of an error, keeping its kind.
func nameError(name string, err error) error {
	var te *trustmark.Error
	if errors.As(err, &te) {
		return &trustmark.Error{Kind: te.Kind, Field: te.Field, Message: name + ": " + te.Message, Err: te.Err}
	}
	return fmt.Errorf("%s: %w", name, err)
}

func readLimited(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "cannot read: %v", errors.Unwrap(err))
	}
	defer f.Close()
	return readCapped(f)
}

func readMember(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > MaxRecordSize {
		return nil, tooLarge()
	}
	r, err := f.Open()
	if err != nil {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "corrupt archive member: %v", err)
	}
	defer r.Close()
	raw, err := readCapped(r)
	if err != nil && !trustmark.IsKind(err, trustmark.KindInvalid) {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "corrupt archive member: %v", err)
	}
	return raw, err
}

func readCapped(r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxRecordSize+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxRecordSize {
		return nil, tooLarge()
	}
	return raw, nil
}

func tooLarge() error {
	return trustmark.Errorf(trustmark.KindInvalid, "record larger than %d bytes", MaxRecordSize)
}
