package program

import (
	"context"
	"time"

	"trustmark"
)

// RecognizeLab records or updates a CyberLAB's recognition with its 8.217(e)
// fields. Who: a member of the Lead Administrator (8.221(a)(5)).
func (p *Program) RecognizeLab(ctx context.Context, pr *trustmark.Principal, l trustmark.LabRecognition) (*trustmark.LabRecognition, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgLeadAdministrator); err != nil {
		return nil, err
	}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		from := ""
		if old, err := tx.Lab(l.OrgID); err == nil {
			from = string(old.Status)
		}
		l.Status, l.RecognizedAt, l.WithdrawnAt, l.WithdrawnReason = trustmark.LabRecognized, now, nil, ""
		if err := tx.PutLab(&l); err != nil {
			return err
		}
		return audit(tx, pr, now, "lab.recognize", "organization/"+l.OrgID, from, string(l.Status), "accredited by "+l.AccreditationBody+" until "+string(l.AccreditationExpires))
	})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// WithdrawLab withdraws a lab's recognition with a reason; the lab can no
// longer report. Who: a member of the Lead Administrator.
func (p *Program) WithdrawLab(ctx context.Context, pr *trustmark.Principal, orgID, reason string) (*trustmark.LabRecognition, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgLeadAdministrator); err != nil {
		return nil, err
	}
	if err := requireReason(reason); err != nil {
		return nil, err
	}
	var l *trustmark.LabRecognition
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		var err error
		if l, err = tx.Lab(orgID); err != nil {
			return err
		}
		if l.Status == trustmark.LabWithdrawn {
			return stateError("the recognition of lab %s is already withdrawn", orgID)
		}
		now := p.Now()
		l.Status, l.WithdrawnAt, l.WithdrawnReason = trustmark.LabWithdrawn, &now, reason
		if err := tx.PutLab(l); err != nil {
			return err
		}
		return audit(tx, pr, now, "lab.withdraw", "organization/"+orgID, string(trustmark.LabRecognized), string(trustmark.LabWithdrawn), reason)
	})
	return l, err
}

// DirectoryLab is a lab as the public directory shows it.
type DirectoryLab struct {
	trustmark.LabRecognition
	Name    string `json:"name"`
	Contact string `json:"contact"`
	// Expired is set when the accreditation's expiry date has passed.
	Expired bool `json:"accreditation_expired"`
}

// Directory is the public list of CLAs and labs (8.220, 8.221(a)(5)):
// recognized labs, and labs that lost recognition.
type Directory struct {
	CLAs          []trustmark.Organization  `json:"clas"`
	Labs          []DirectoryLab            `json:"recognized_labs"`
	WithdrawnLabs []DirectoryLab            `json:"withdrawn_labs"`
	RenewalPolicy []trustmark.RenewalPolicy `json:"renewal_policies"`
	GeneratedAt   time.Time                 `json:"generated_at"`
}

// Directory returns the public directory. Who: anyone.
func (p *Program) Directory(ctx context.Context) (*Directory, error) {
	d := &Directory{GeneratedAt: p.Now()}
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		if d.CLAs, err = p.store.ListOrganizations(ctx, trustmark.OrgCLA); err != nil {
			return err
		}
		labs, err := tx.Labs()
		if err != nil {
			return err
		}
		for _, l := range labs {
			org, err := tx.Organization(l.OrgID)
			if err != nil {
				return err
			}
			dl := DirectoryLab{LabRecognition: l, Name: org.Name, Contact: org.Contact, Expired: l.CanReport(d.GeneratedAt) != nil && l.Status == trustmark.LabRecognized}
			if l.Status == trustmark.LabRecognized {
				d.Labs = append(d.Labs, dl)
			} else {
				d.WithdrawnLabs = append(d.WithdrawnLabs, dl)
			}
		}
		d.RenewalPolicy, err = tx.RenewalPolicies()
		return err
	})
	if d.CLAs == nil {
		d.CLAs = []trustmark.Organization{}
	}
	if d.Labs == nil {
		d.Labs = []DirectoryLab{}
	}
	if d.WithdrawnLabs == nil {
		d.WithdrawnLabs = []DirectoryLab{}
	}
	return d, err
}

// SetRenewalPolicy sets how often grants of a product class must be renewed.
// Who: a member of the Lead Administrator (8.221(a)(4)(ii)).
func (p *Program) SetRenewalPolicy(ctx context.Context, pr *trustmark.Principal, pol trustmark.RenewalPolicy) (*trustmark.RenewalPolicy, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgLeadAdministrator); err != nil {
		return nil, err
	}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		pol.SetBy, pol.SetAt = pr.Actor(), now
		if err := tx.PutRenewalPolicy(&pol); err != nil {
			return err
		}
		return audit(tx, pr, now, "renewal_policy.set", "product_class/"+string(pol.Class), "", "", fmtMonths(pol.IntervalMonths))
	})
	return &pol, err
}

func fmtMonths(n int) string {
	if n == 0 {
		return "renewal on significant change only"
	}
	return "renew every " + itoa(n) + " months"
}

func requireReason(reason string) error {
	if len(reason) < 3 || len(reason) > 2048 {
		return trustmark.FieldError("reason", "a written reason of 3 to 2048 characters is required")
	}
	return nil
}

// CreateProduct stores a product of the caller's manufacturer. Who: a
// member of a manufacturer.
func (p *Program) CreateProduct(ctx context.Context, pr *trustmark.Principal, prod trustmark.Product) (*trustmark.Product, error) {
	if err := need(pr, trustmark.RoleMember, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	err := p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		prod.ID, prod.ManufacturerID, prod.CreatedAt = "", pr.Org.ID, now
		if err := tx.CreateProduct(&prod); err != nil {
			return err
		}
		return audit(tx, pr, now, "product.create", "product/"+prod.ID, "", "", prod.Name)
	})
	if err != nil {
		return nil, err
	}
	return &prod, nil
}

// Product returns a product. Who: its manufacturer, the overseers, and the
// CLAs and labs named on one of its applications; others get KindNotFound.
func (p *Program) Product(ctx context.Context, pr *trustmark.Principal, id string) (*trustmark.Product, error) {
	if err := need(pr, trustmark.RoleViewer); err != nil {
		return nil, err
	}
	var prod *trustmark.Product
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		if prod, err = tx.Product(id); err != nil {
			return notFound("product", id)
		}
		if prod.ManufacturerID == pr.Org.ID || overseer(pr) {
			return nil
		}
		apps, err := tx.Applications(trustmark.ApplicationFilter{ProductID: id})
		if err != nil {
			return err
		}
		for _, a := range apps {
			if canSeeApplication(pr, &a) {
				return nil
			}
		}
		return notFound("product", id)
	})
	return prod, err
}

// Products lists the caller's own products. Who: a manufacturer.
func (p *Program) Products(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Product, error) {
	if err := need(pr, trustmark.RoleViewer, trustmark.OrgManufacturer); err != nil {
		return nil, err
	}
	var out []trustmark.Product
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Products(pr.Org.ID)
		return err
	})
	return out, err
}
