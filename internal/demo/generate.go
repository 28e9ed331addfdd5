package demo

import (
	"context"
	"fmt"
	"time"

	"trustmark"
)

// Generator makes synthetic but valid registry data in any quantity, for
// load tests and benchmarks: 50 manufacturers, 5 labs and 5 CLAs, and
// products whose label IDs derive from their number.
type Generator struct {
	mfrs, labs, clas []*trustmark.Organization
}

// NewGenerator returns a generator of synthetic records.
func NewGenerator() *Generator {
	g := &Generator{}
	for i := range 50 {
		g.mfrs = append(g.mfrs, &trustmark.Organization{ID: fmt.Sprintf("org_gen_mfr_%02d", i), Kind: trustmark.OrgManufacturer,
			Name: fmt.Sprintf("Synthetic Devices %02d", i), Contact: fmt.Sprintf("https://maker%02d.example.com/security", i)})
	}
	for i := range 5 {
		g.labs = append(g.labs, &trustmark.Organization{ID: fmt.Sprintf("org_gen_lab_%d", i), Kind: trustmark.OrgLab,
			Name: fmt.Sprintf("Synthetic Test Lab %d", i), Contact: fmt.Sprintf("https://lab%d.example.com/contact", i)})
		g.clas = append(g.clas, &trustmark.Organization{ID: fmt.Sprintf("org_gen_cla_%d", i), Kind: trustmark.OrgCLA,
			Name: fmt.Sprintf("Synthetic Label Administrator %d", i), Contact: fmt.Sprintf("https://cla%d.example.com/contact", i)})
	}
	return g
}

// CreateParties stores the generator's organizations, skipping those present.
func (g *Generator) CreateParties(ctx context.Context, s trustmark.Store) error {
	for _, group := range [][]*trustmark.Organization{g.mfrs, g.labs, g.clas} {
		for _, o := range group {
			if _, err := s.Organization(ctx, o.ID); err == nil {
				continue
			} else if !trustmark.IsKind(err, trustmark.KindNotFound) {
				return err
			}
			o.CreatedAt = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := s.CreateOrganization(ctx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// GeneratedLabelID is the label ID of synthetic record number i.
func GeneratedLabelID(i int) trustmark.LabelID {
	return trustmark.DeriveLabelID(fmt.Sprintf("generated %d", i))
}

// Item returns synthetic record number i: a product, its grant and record.
func (g *Generator) Item(i int) trustmark.GrantImport {
	mfr, lab, cla := g.mfrs[i%len(g.mfrs)], g.labs[i%len(g.labs)], g.clas[(i/7)%len(g.clas)]
	class := trustmark.ProductClasses[i%len(trustmark.ProductClasses)]
	name := fmt.Sprintf("Model %d %s", i, class)
	p := &trustmark.Product{ID: fmt.Sprintf("prd_gen_%d", i), ManufacturerID: mfr.ID, Name: name,
		ModelNumbers: []string{fmt.Sprintf("SX-%07d", i)}, HardwareVersion: "1", SoftwareVersion: fmt.Sprintf("1.%d", i%40),
		Class: class, Components: []trustmark.Component{dev(name), app(mfr.Name + " app")},
		CreatedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	granted := time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i%500) * 24 * time.Hour)
	gr := &trustmark.Grant{LabelID: GeneratedLabelID(i), ProductID: p.ID, ManufacturerID: mfr.ID, CLAID: cla.ID, LabID: lab.ID,
		Status: trustmark.GrantActive, GrantedAt: granted}
	it := item{key: fmt.Sprintf("gen-%d", i), site: mfr.Contact[:len("https://makerNN.example.com")], name: name,
		support: fmt.Sprintf("%d-12-31", 2027+i%8), sensors: [3]bool{i%3 == 0, i%4 == 0, i%5 == 0},
		updates: trustmark.UpdateModes[i%4], password: []string{trustmark.PasswordFactoryDefault, trustmark.PasswordUserGenerated, ""}[i%3],
		changeable: true, sbom: i%2 == 0, hbom: i%3 == 0}
	rec := trustmark.NewRegistryRecord(gr, p, mfr, cla, lab, disclosures(it))
	return trustmark.GrantImport{Product: p, Grant: gr, Record: rec}
}
