package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"trustmark"
	"trustmark/internal/demo"
)

// runGenerate fills a store with synthetic but valid registry records, for
// load tests and benchmarks. Label IDs derive from the record number, so the
// same run always produces the same IDs.
func runGenerate(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", "generate [flags]\n\nAdds synthetic manufacturers, labs, CLAs and --records labeled products to the store.\nRecords already present (same numbers) make the run fail; use a fresh --data directory.", stderr)
	var st storeFlags
	var idsOut string
	var records, batch, start int
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.storeFlags(&st)
	fs.IntVar(&records, "records", 10000, "number of labeled products to add")
	fs.IntVar(&start, "start", 0, "number of the first record (to extend an earlier run)")
	fs.IntVar(&batch, "batch", 5000, "records written per transaction")
	fs.StringVar(&idsOut, "ids-out", "", "write the generated label IDs to this file, one per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if records < 1 || batch < 1 || start < 0 {
		return usageError{"--records and --batch must be at least 1, --start at least 0"}
	}
	db, err := openStore(ctx, st, false)
	if err != nil {
		return err
	}
	defer db.Close()
	g := demo.NewGenerator()
	if err := g.CreateParties(ctx, db); err != nil {
		return err
	}
	var ids *bufio.Writer
	if idsOut != "" {
		f, err := os.Create(idsOut)
		if err != nil {
			return err
		}
		defer f.Close()
		ids = bufio.NewWriter(f)
		defer ids.Flush()
	}
	began := time.Now()
	for i := start; i < start+records; i += batch {
		n := min(batch, start+records-i)
		items := make([]trustmark.GrantImport, n)
		for j := range n {
			items[j] = g.Item(i + j)
			if ids != nil {
				fmt.Fprintln(ids, items[j].Grant.LabelID)
			}
		}
		if err := db.ImportGrants(ctx, items); err != nil {
			return fmt.Errorf("records %d–%d: %w", i, i+n-1, err)
		}
		done := i + n - start
		fmt.Fprintf(stderr, "\r%d/%d records (%.0f/s)", done, records, float64(done)/time.Since(began).Seconds())
	}
	fmt.Fprintln(stderr)
	fmt.Fprintf(stdout, "generated %d records in %s; first label ID %s\n", records, time.Since(began).Round(time.Millisecond), demo.GeneratedLabelID(start))
	return nil
}
