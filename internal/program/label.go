package program

import (
	"context"

	"trustmark"
)

// ArtworkLinks are where a grant's label artwork is fetched
// (GET /api/v1/labels/{label_id}/artwork.{svg,pdf,png}; ?size= and, for
// PNG, ?dpi= choose the variant).
type ArtworkLinks struct {
	SVG string `json:"svg"`
	PDF string `json:"pdf"`
	PNG string `json:"png"`
}

// mayGetArtwork: the grant's manufacturer and its CLA, those who put the
// label on the product and answer for it; labs and overseers read the
// registry record instead.
func mayGetArtwork(pr *trustmark.Principal, g *trustmark.Grant) bool {
	return pr != nil && (pr.Org.ID == g.ManufacturerID || pr.Org.ID == g.CLAID)
}

// artworkLinks returns the links of the grant's artwork for a caller who
// may fetch it while the grant is active, and nil otherwise.
func artworkLinks(pr *trustmark.Principal, g *trustmark.Grant) *ArtworkLinks {
	if !mayGetArtwork(pr, g) || g.Status != trustmark.GrantActive {
		return nil
	}
	p := "/api/v1/labels/" + string(g.LabelID) + "/artwork."
	return &ArtworkLinks{SVG: p + "svg", PDF: p + "pdf", PNG: p + "png"}
}

// LabelArtwork returns the registry record a label's artwork is drawn
// from. Artwork is produced only for an active grant: a suspended label
// must not go onto new packaging, and a final one never again. Who: the
// grant's manufacturer and its CLA, at any role. Errors: KindNotFound when
// the grant does not exist or is not the caller's to see; KindForbidden for
// its lab and the overseers, who may see the grant but not print its label;
// KindConflict when the grant is not active.
func (p *Program) LabelArtwork(ctx context.Context, pr *trustmark.Principal, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	return p.labelArtwork(ctx, id, func(g *trustmark.Grant) error {
		if !canSeeGrant(pr, g) {
			return notFound("grant", string(id))
		}
		if !mayGetArtwork(pr, g) {
			return trustmark.Errorf(trustmark.KindForbidden, "label artwork is for the grant's manufacturer and its CLA, not %s", relation(pr, g))
		}
		return nil
	})
}

// OperatorLabelArtwork is LabelArtwork on the authority of whoever runs
// the trustmark binary against the store ("trustmark label render"): it
// checks only that the grant exists and is active.
func (p *Program) OperatorLabelArtwork(ctx context.Context, id trustmark.LabelID) (*trustmark.RegistryRecord, error) {
	return p.labelArtwork(ctx, id, func(*trustmark.Grant) error { return nil })
}

func (p *Program) labelArtwork(ctx context.Context, id trustmark.LabelID, allowed func(*trustmark.Grant) error) (*trustmark.RegistryRecord, error) {
	var rec *trustmark.RegistryRecord
	err := p.view(ctx, func(tx trustmark.Tx) error {
		g, err := tx.Grant(id)
		if err != nil {
			if trustmark.IsKind(err, trustmark.KindNotFound) {
				return notFound("grant", string(id))
			}
			return err
		}
		if err := allowed(g); err != nil {
			return err
		}
		if g.Status != trustmark.GrantActive {
			return stateError("grant %s is %s: label artwork is produced only for an active grant", id, g.Status)
		}
		rec, err = tx.RegistryRecord(id)
		return err
	})
	return rec, err
}

// relation names what the caller is to a grant it may see but not print.
func relation(pr *trustmark.Principal, g *trustmark.Grant) string {
	if pr.Org.ID == g.LabID {
		return "its lab"
	}
	return "the program's overseers (they read the registry record)"
}
