package trustmark

import "time"

// ComplaintState is where a complaint stands as it is routed
// CLA → Lead Administrator → regulator (8.214, 8.220(f)(9), 8.221(a)(8)).
type ComplaintState string

// The complaint states.
const (
	ComplaintWithCLA       ComplaintState = "with_cla"
	ComplaintWithLead      ComplaintState = "with_lead_administrator"
	ComplaintWithRegulator ComplaintState = "with_regulator"
	ComplaintJustified     ComplaintState = "justified" // found justified: the grant is suspended for cure
	ComplaintClosed        ComplaintState = "closed"    // closed without action, with reasons
)

// Complaint is a report from anyone that a labeled product or the registry
// falls short.
type Complaint struct {
	ID             string         `json:"id"`
	LabelID        LabelID        `json:"label_id"`
	CLAID          string         `json:"cla_id"`
	ManufacturerID string         `json:"manufacturer_id"`
	Text           string         `json:"text"`
	Contact        string         `json:"contact,omitempty"` // how to reach the complainant; never public
	State          ComplaintState `json:"state"`
	Resolution     string         `json:"resolution,omitempty"`
	FiledAt        time.Time      `json:"filed_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// Validate checks the complaint as filed.
func (c *Complaint) Validate() error {
	if _, err := ParseLabelID(string(c.LabelID)); err != nil {
		return err
	}
	if err := checkText("text", c.Text, 10, 5000); err != nil {
		return err
	}
	if c.Contact != "" {
		if err := checkContact("contact", c.Contact); err != nil {
			return err
		}
	}
	return checkText("resolution", c.Resolution, 0, maxText)
}
