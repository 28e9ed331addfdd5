package program

import (
	"context"
	"fmt"

	"trustmark"
	"trustmark/internal/vuln"
)

// ImportResult counts what an advisory import did.
type ImportResult struct {
	Read      int `json:"read"`      // records read
	New       int `json:"new"`       // advisories not stored before
	Updated   int `json:"updated"`   // stored advisories replaced by a later modification
	Unchanged int `json:"unchanged"` // records no newer than the stored advisory
	Invalid   int `json:"invalid"`   // records that are not OSV; see Errors
	// SBOMsRematched and ComponentsRematched count the current-SBOM
	// components whose package keys or CPEs the changed advisories name:
	// the only ones matched again.
	SBOMsRematched      int      `json:"sboms_rematched"`
	ComponentsRematched int      `json:"components_rematched"`
	AlertsOpened        int      `json:"alerts_opened"` // new alerts, and resolved ones matched again
	AlertsResolved      int      `json:"alerts_resolved"`
	AlertsSuppressed    int      `json:"alerts_suppressed"`
	Errors              []string `json:"errors,omitempty"` // the first invalid records, by name
}

func (r *ImportResult) add(o ImportResult) {
	r.Read += o.Read
	r.New += o.New
	r.Updated += o.Updated
	r.Unchanged += o.Unchanged
	r.Invalid += o.Invalid
	r.SBOMsRematched += o.SBOMsRematched
	r.ComponentsRematched += o.ComponentsRematched
	r.AlertsOpened += o.AlertsOpened
	r.AlertsResolved += o.AlertsResolved
	r.AlertsSuppressed += o.AlertsSuppressed
	for _, e := range o.Errors {
		if len(r.Errors) < maxImportErrors {
			r.Errors = append(r.Errors, e)
		}
	}
}

// ImportAdvisories imports OSV records, as walk yields them (each with a
// name for error messages, e.g. vuln.Walk over a directory or zip), in
// transactions of AdvisoryBatchSize. Each transaction stores the batch's
// advisories (a record replaces the stored one only when it is newer),
// then re-matches only the current-SBOM components whose package keys — as
// the changed advisories name them now or did before — or CPEs they name,
// and opens, updates or resolves those products' alerts (a withdrawn
// advisory resolves its alerts). A record that is not OSV JSON is counted
// and named in the result, not fatal. progress, when not nil, is called
// after every committed batch with the totals so far. It runs on the
// authority of the store's operator (the CLI), with no principal. Errors:
// walk's errors, store failures; batches committed before a failure stay.
func (p *Program) ImportAdvisories(ctx context.Context, walk func(yield func(name string, raw []byte) error) error, progress func(ImportResult)) (ImportResult, error) {
	var total ImportResult
	batch := make([]trustmark.Advisory, 0, AdvisoryBatchSize)
	var pending ImportResult // counts of the records in batch not yet committed
	flush := func() error {
		if len(batch) == 0 && pending.Read == 0 {
			return nil
		}
		res, err := p.importBatch(ctx, batch)
		if err != nil {
			return err
		}
		res.add(pending)
		total.add(res)
		batch, pending = batch[:0], ImportResult{}
		if progress != nil {
			progress(total)
		}
		return nil
	}
	err := walk(func(name string, raw []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		pending.Read++
		o, err := vuln.ParseOSV(raw)
		var a trustmark.Advisory
		if err == nil {
			// Checked here so that one bad record cannot fail its batch.
			a = o.Advisory(raw)
			err = a.Validate()
		}
		if err != nil {
			pending.Invalid++
			if len(pending.Errors) < maxImportErrors {
				pending.Errors = append(pending.Errors, name+": "+trustmark.PublicMessage(err))
			}
		} else {
			batch = append(batch, a)
		}
		if pending.Read >= AdvisoryBatchSize {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total, err
}

// importBatch stores one batch of advisories and re-matches what they affect.
func (p *Program) importBatch(ctx context.Context, batch []trustmark.Advisory) (ImportResult, error) {
	var res ImportResult
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		res = ImportResult{}
		ptrs := make([]*trustmark.Advisory, len(batch))
		for i := range batch {
			ptrs[i] = &batch[i]
		}
		changes, err := tx.PutAdvisories(ptrs)
		if err != nil {
			return err
		}
		keys := map[trustmark.PackageKey]bool{}
		cpes := map[string]bool{}
		for i, c := range changes {
			a := &batch[i]
			switch {
			case !c.Changed:
				res.Unchanged++
				continue
			case c.OldKeys == nil:
				res.New++
			default:
				res.Updated++
			}
			for _, k := range a.Packages {
				keys[k] = true
			}
			for _, k := range c.OldKeys {
				keys[k] = true
			}
			for _, vp := range a.CPEs {
				cpes[vp] = true
			}
			for _, vp := range c.OldCPEs {
				cpes[vp] = true
			}
		}
		if res.New+res.Updated == 0 {
			return nil
		}
		now := p.Now()
		m := p.newMonitor(tx, operatorActor, now)
		if err := m.rematch(keys, cpes, &res); err != nil {
			return err
		}
		res.AlertsOpened, res.AlertsResolved, res.AlertsSuppressed = m.opened+m.reopened, m.resolved, m.suppressed
		return audit(tx, operatorActor, now, "advisories.import", "advisories", "", "",
			fmt.Sprintf("%d advisories: %d new, %d updated, %d unchanged; %d components of %d SBOMs re-matched; alerts: %s",
				len(batch), res.New, res.Updated, res.Unchanged, res.ComponentsRematched, res.SBOMsRematched, m.summary()))
	})
	return res, err
}
