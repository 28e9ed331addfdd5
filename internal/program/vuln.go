package program

import (
	"time"

	"trustmark"
)

// Post-market vulnerability monitoring (8.208(c)(7)): a
// manufacturer keeps an SBOM per product version, advisories are imported
// from OSV, the manufacturer's VEX statements say which findings do not
// apply, and what remains becomes an alert for the manufacturer and the
// grant's CLA, who may turn it into a surveillance finding. Matching is done
// by internal/vuln; the program decides who may do what, which components are
// re-matched when something changes (only those the change can affect), and
// keeps alerts, their audit entries and their webhook notifications in the
// same transaction as the change that caused them. docs/vulns.md explains it
// for users. This file holds the limits and who may read bills of
// materials; sbom.go, vex.go, advisory.go (imports), alert.go, monitor.go
// (re-matching) and webhook.go hold the rest.

// Limits of monitoring.
const (
	// AdvisoryBatchSize is how many advisories one import transaction holds.
	AdvisoryBatchSize = 1000
	// MaxWebhooks is how many webhooks one organization may register.
	MaxWebhooks = 10
	// maxProductVersion bounds an SBOM's product version string.
	maxProductVersion = 100
	// maxImportErrors is how many record errors an import result keeps.
	maxImportErrors = 20
)

// Webhook delivery schedule: retries back off exponentially from
// deliveryFirstRetry, never waiting more than deliveryMaxWait, and a
// delivery is abandoned once deliveryGiveUp has passed since it was queued.
const (
	deliveryFirstRetry = 30 * time.Second
	deliveryMaxWait    = 6 * time.Hour
	deliveryGiveUp     = 24 * time.Hour
	// deliveryLease is how long a claimed delivery is hidden from other
	// deliverers while it is being sent (a crashed sender's claim expires).
	deliveryLease = 2 * time.Minute
)

// deliveryAbandoned is the next-try time of a delivery given up on: never.
var deliveryAbandoned = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Alert events, the "type" of webhook payloads.
const (
	EventAlertOpened     = "alert.opened"
	EventAlertReopened   = "alert.reopened"
	EventAlertSuppressed = "alert.suppressed"
	EventAlertResolved   = "alert.resolved"
	EventAlertFinding    = "alert.finding"
)

// operatorActor is the principal store-level operations run by whoever
// runs the trustmark binary ("trustmark vulns import") are recorded under.
var operatorActor = &trustmark.Principal{Org: trustmark.Organization{Name: "operator"}, Token: trustmark.Token{Holder: "trustmark vulns import"}}

// ---------------------------------------------------------------------------
// Who may read bills of materials.

// productGrant returns the grant of a product, or nil when it has none. A
// product has at most one grant.
func productGrant(tx trustmark.Tx, prod *trustmark.Product) (*trustmark.Grant, error) {
	grants, err := tx.Grants(trustmark.GrantFilter{ManufacturerID: prod.ManufacturerID})
	if err != nil {
		return nil, err
	}
	for i := range grants {
		if grants[i].ProductID == prod.ID {
			return &grants[i], nil
		}
	}
	return nil, nil
}

// canReadBOM reports whether pr may read a product's SBOMs and VEX
// statements: its manufacturer; the grant's CLA (before a grant, the CLAs
// its applications name); the labs its applications name; the regulator.
// The Lead Administrator is not among them (8.222(b)(10) and FCC 24-26
// fn. 368 name the Commission, a CyberLAB and the CLA).
func canReadBOM(tx trustmark.Tx, pr *trustmark.Principal, prod *trustmark.Product) (bool, error) {
	switch {
	case pr.Org.ID == prod.ManufacturerID || pr.Is(trustmark.OrgRegulator):
		return true, nil
	case !pr.Is(trustmark.OrgCLA, trustmark.OrgLab):
		return false, nil
	}
	g, err := productGrant(tx, prod)
	if err != nil {
		return false, err
	}
	if g != nil && (g.CLAID == pr.Org.ID || g.LabID == pr.Org.ID) {
		return true, nil
	}
	f := trustmark.ApplicationFilter{ProductID: prod.ID}
	switch {
	case pr.Is(trustmark.OrgLab):
		f.LabID = pr.Org.ID
	case g == nil:
		f.CLAID = pr.Org.ID
	default:
		return false, nil // a labeled product's CLA is the grant's
	}
	apps, err := tx.Applications(f)
	return len(apps) > 0, err
}

// readableProduct loads a product whose bills of materials pr may read;
// any other product is KindNotFound, so its existence is not revealed.
func readableProduct(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.Product, error) {
	prod, err := tx.Product(id)
	if err != nil {
		return nil, notFound("product", id)
	}
	ok, err := canReadBOM(tx, pr, prod)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("product", id)
	}
	return prod, nil
}

// ownProduct loads one of the caller's own products (others: KindNotFound).
func ownProduct(tx trustmark.Tx, pr *trustmark.Principal, id string) (*trustmark.Product, error) {
	prod, err := tx.Product(id)
	if err != nil || prod.ManufacturerID != pr.Org.ID {
		return nil, notFound("product", id)
	}
	return prod, nil
}
