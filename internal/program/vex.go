package program

import (
	"context"
	"fmt"
	"strings"

	"trustmark"
	"trustmark/internal/sbom"
)

// UploadVEX stores the VEX statements of a document (OpenVEX, CycloneDX
// VEX or CSAF VEX; the format is detected) about one of the caller's
// products, recording the caller as their author, and applies them to the
// product's alerts in the same transaction: a not_affected (with a
// justification) or fixed statement suppresses the
// matching open alerts; a later affected or under_investigation statement
// re-opens them. Who: a member of the product's manufacturer. Errors:
// KindInvalid for a malformed document or a not_affected statement without
// justification; KindNotFound for another's product.
func (p *Program) UploadVEX(ctx context.Context, pr *trustmark.Principal, productID string, doc []byte) ([]trustmark.VEXStatement, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	stmts, err := sbom.ParseVEX(doc)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "the VEX document holds no statements")
	}
	for _, st := range stmts {
		if st.Status == trustmark.VEXNotAffected && strings.TrimSpace(st.Justification) == "" {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "the not_affected statement about %s needs a justification (e.g. vulnerable_code_not_present)", truncate(st.VulnID, 80))
		}
	}
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		prod, err := ownProduct(tx, pr, productID)
		if err != nil {
			return err
		}
		now := p.Now()
		for i := range stmts {
			st := &stmts[i]
			st.ID, st.ProductID, st.Author, st.At = "", prod.ID, pr.Actor(), now
			if err := tx.CreateVEX(st); err != nil {
				return err
			}
		}
		m := p.newMonitor(tx, pr, now)
		if err := m.applyVEX(prod); err != nil {
			return err
		}
		return audit(tx, pr, now, "vex.upload", "product/"+prod.ID, "", "",
			fmt.Sprintf("%d %s statements; alerts: %s", len(stmts), stmts[0].Source, m.summary()))
	})
	if err != nil {
		return nil, err
	}
	return stmts, nil
}

// VEXStatements lists a product's VEX statements, oldest first. Who: as SBOMs.
func (p *Program) VEXStatements(ctx context.Context, pr *trustmark.Principal, productID string) ([]trustmark.VEXStatement, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var out []trustmark.VEXStatement
	err := p.view(ctx, func(tx trustmark.Tx) error {
		if _, err := readableProduct(tx, pr, productID); err != nil {
			return err
		}
		var err error
		out, err = tx.VEXStatements(productID)
		return err
	})
	return out, err
}
