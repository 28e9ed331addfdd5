package trustmark

import (
	"slices"
	"time"
)

// ApplicationState is where an application for authority to use the label
// stands (47 CFR 8.208–8.212).
type ApplicationState string

// The application states.
const (
	AppDraft         ApplicationState = "draft"          // being prepared by the manufacturer
	AppSubmitted     ApplicationState = "submitted"      // filed with the CLA, awaiting its decision
	AppInfoRequested ApplicationState = "info_requested" // the CLA asked for more information by a deadline (para 92)
	AppGranted       ApplicationState = "granted"        // authority granted (8.209)
	AppDenied        ApplicationState = "denied"         // denied with written reasons (8.211)
	AppDismissed     ApplicationState = "dismissed"      // dismissed (8.210)
	AppUnderReview   ApplicationState = "under_review"   // the applicant asked the CLA to review its decision (8.212)
	AppUnderAppeal   ApplicationState = "under_appeal"   // the applicant appealed to the Bureau (8.212)
)

// DeclarationClause identifies one declaration an applicant must sign.
type DeclarationClause string

// Declarations lists the declarations of 8.208(c)(1)–(8) and (f), each
// paraphrased; an application is complete only when all are signed.
var Declarations = []struct {
	Clause DeclarationClause
	Text   string
}{
	{"8.208(c)(1)", "The product meets all the requirements of the labeling program."},
	{"8.208(c)(2)", "The applicant is not an entity that produces equipment on the Covered List."},
	{"8.208(c)(3)", "The product contains no equipment on the Covered List."},
	{"8.208(c)(4)", "The applicant is not owned, controlled by or affiliated with an entity on the Entity List or the DoD 1260H list."},
	{"8.208(c)(5)", "The applicant is not barred or debarred from federal procurement, nor tied to an entity that is."},
	{"8.208(c)(6)", "The applicant took every reasonable measure to create a securable product."},
	{"8.208(c)(7)", "Until the support end date disclosed in the registry, the applicant will diligently identify critical vulnerabilities and promptly issue updates fixing them, unless not reasonably needed."},
	{"8.208(c)(8)", "The applicant will not disclaim or limit the enforceability of these commitments elsewhere."},
	{"8.208(f)", "The product is reasonably secure, will receive security updates through the minimum support period, and its support period end date will be disclosed."},
}

// Declaration is one signed attestation, made under penalty of perjury.
type Declaration struct {
	Clause   DeclarationClause `json:"clause"`
	SignedBy string            `json:"signed_by"` // filled from the signing token's holder
	SignedAt time.Time         `json:"signed_at"`
}

// USAgent is the applicant's agent for service of process in the United
// States (8.208(i)), with the agent's signed acceptance.
type USAgent struct {
	Name       string    `json:"name"`
	Address    string    `json:"address"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	AttestedBy string    `json:"attested_by"` // the agent's signatory
	AttestedAt time.Time `json:"attested_at"`
}

// Validate checks the agent's fields.
func (a *USAgent) Validate() error {
	if err := checkText("us_agent.name", a.Name, 1, maxName); err != nil {
		return err
	}
	if err := checkText("us_agent.address", a.Address, 1, maxText); err != nil {
		return err
	}
	if err := checkContact("us_agent.email", a.Email); err != nil {
		return err
	}
	if err := checkText("us_agent.phone", a.Phone, 1, maxShort); err != nil {
		return err
	}
	return checkText("us_agent.attested_by", a.AttestedBy, 1, maxName)
}

// PriorDenial discloses an earlier denial of the same or a substantially
// similar product (FCC 24-26 para 91).
type PriorDenial struct {
	ApplicationID string `json:"application_id,omitempty"`
	CLAName       string `json:"cla_name"`
	Date          Date   `json:"date"`
	Reasons       string `json:"reasons"`
}

// InfoRequest is a CLA's request for more information, with a deadline
// after which the application may be dismissed (8.210).
type InfoRequest struct {
	Message     string    `json:"message"`
	Deadline    time.Time `json:"deadline"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
}

// Decision is a CLA's written decision on an application.
type Decision struct {
	Outcome   ApplicationState `json:"outcome"` // granted, denied or dismissed
	Reasons   string           `json:"reasons,omitempty"`
	DecidedBy string           `json:"decided_by"`
	DecidedAt time.Time        `json:"decided_at"`
	LabelID   LabelID          `json:"label_id,omitempty"`
}

// ReviewStage is which body reviews a decision (8.212).
type ReviewStage string

// The review stages.
const (
	ReviewByCLA    ReviewStage = "cla"    // the deciding CLA reviews its own decision first
	ReviewByBureau ReviewStage = "bureau" // then the Bureau (the regulator) decides de novo
)

// Review is a request that a decision be reviewed, with its clock.
type Review struct {
	Stage       ReviewStage `json:"stage"`
	Reason      string      `json:"reason"`
	RequestedBy string      `json:"requested_by"`
	RequestedAt time.Time   `json:"requested_at"`
	// Due is when the reviewer should decide: 10 business days for a CLA,
	// 45 days (extendable to 90) for the Bureau.
	Due       time.Time `json:"due"`
	Outcome   string    `json:"outcome,omitempty"` // upheld or reversed
	Reasons   string    `json:"reasons,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// Application asks a CLA for authority to put the label on a product.
type Application struct {
	ID             string           `json:"id"`
	ManufacturerID string           `json:"manufacturer_id"`
	ProductID      string           `json:"product_id"`
	CLAID          string           `json:"cla_id"`
	LabID          string           `json:"lab_id"`
	State          ApplicationState `json:"state"`
	Declarations   []Declaration    `json:"declarations"`
	USAgent        *USAgent         `json:"us_agent,omitempty"`
	Disclosures    *Disclosures     `json:"disclosures,omitempty"`
	PriorDenials   []PriorDenial    `json:"prior_denials"`
	InfoRequest    *InfoRequest     `json:"info_request,omitempty"`
	Decision       *Decision        `json:"decision,omitempty"`
	Reviews        []Review         `json:"reviews"`
	CreatedAt      time.Time        `json:"created_at"`
	SubmittedAt    *time.Time       `json:"submitted_at,omitempty"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// Validate checks the fields an application may hold in any state.
func (a *Application) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"manufacturer_id", a.ManufacturerID}, {"product_id", a.ProductID}, {"cla_id", a.CLAID}, {"lab_id", a.LabID},
	} {
		if f.v == "" {
			return FieldError(f.name, "is required")
		}
	}
	seen := map[DeclarationClause]bool{}
	for _, d := range a.Declarations {
		if !slices.ContainsFunc(Declarations, func(x struct {
			Clause DeclarationClause
			Text   string
		}) bool {
			return x.Clause == d.Clause
		}) {
			return FieldError("declarations", "%q is not a declaration clause; use 8.208(c)(1) … 8.208(c)(8) or 8.208(f)", truncate(string(d.Clause), 30))
		}
		if seen[d.Clause] {
			return FieldError("declarations", "%s is signed twice", d.Clause)
		}
		seen[d.Clause] = true
	}
	if a.USAgent != nil {
		if err := a.USAgent.Validate(); err != nil {
			return err
		}
	}
	if a.Disclosures != nil {
		if err := a.Disclosures.Validate(); err != nil {
			return err
		}
	}
	if len(a.PriorDenials) > 20 {
		return FieldError("prior_denials", "has more than 20 entries")
	}
	for _, p := range a.PriorDenials {
		if err := checkText("prior_denials.cla_name", p.CLAName, 1, maxName); err != nil {
			return err
		}
		if err := p.Date.validate("prior_denials.date"); err != nil {
			return err
		}
		if err := checkText("prior_denials.reasons", p.Reasons, 1, maxText); err != nil {
			return err
		}
	}
	return nil
}

// Complete reports what an application still lacks before it can be
// submitted: every declaration signed, a U.S. agent and the disclosures.
// Errors: KindRule naming what is missing.
func (a *Application) Complete() error {
	for _, d := range Declarations {
		if !slices.ContainsFunc(a.Declarations, func(x Declaration) bool { return x.Clause == d.Clause }) {
			return Errorf(KindRule, "declaration %s is not signed (8.208(c), (f)): every declaration must be signed before filing", d.Clause)
		}
	}
	if a.USAgent == nil {
		return Errorf(KindRule, "no U.S. agent for service of process is named (8.208(i))")
	}
	if a.Disclosures == nil {
		return Errorf(KindRule, "the registry disclosures are missing (8.222(b))")
	}
	return nil
}

// ApplicationFilter selects applications for a listing.
type ApplicationFilter struct {
	ManufacturerID string
	CLAID          string
	LabID          string
	ProductID      string
	State          ApplicationState
}
