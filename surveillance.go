package trustmark

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// DefaultSurveillanceShare is the share of a CLA's grants sampled per year
// unless its plan says otherwise, after the FCC's TCB practice (5 %).
const DefaultSurveillanceShare = 0.05

// SurveillancePlan is a CLA's post-market surveillance sample for one year
// (8.220(g)): a share of its active grants, picked reproducibly at random
// from a recorded seed.
type SurveillancePlan struct {
	ID        string    `json:"id"`
	CLAID     string    `json:"cla_id"`
	Year      int       `json:"year"`
	Share     float64   `json:"share"`
	Seed      uint64    `json:"seed"`
	Selected  []LabelID `json:"selected"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// SelectSample picks ceil(share × n) of the label IDs, the same ones for the
// same seed and population whatever their order.
func SelectSample(population []LabelID, share float64, seed uint64) []LabelID {
	ids := slices.Clone(population)
	slices.Sort(ids)
	n := int(math.Ceil(share * float64(len(ids))))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	picked := ids[:min(n, len(ids))]
	slices.Sort(picked)
	return picked
}

// SampleState is where one surveillance sample stands.
type SampleState string

// The sample states.
const (
	SampleRequested SampleState = "requested" // the grantee must send a sample by the deadline
	SamplePassed    SampleState = "passed"
	SampleFailed    SampleState = "failed" // suspends the grant with a cure period
)

// Sample is one product sample requested under a surveillance plan (8.220(g)(2)).
type Sample struct {
	ID             string      `json:"id"`
	PlanID         string      `json:"plan_id"`
	LabelID        LabelID     `json:"label_id"`
	CLAID          string      `json:"cla_id"`
	ManufacturerID string      `json:"manufacturer_id"`
	State          SampleState `json:"state"`
	Deadline       time.Time   `json:"deadline"`
	Findings       string      `json:"findings,omitempty"`
	ResultBy       string      `json:"result_by,omitempty"`
	ResultAt       *time.Time  `json:"result_at,omitempty"`
	RequestedAt    time.Time   `json:"requested_at"`
}
