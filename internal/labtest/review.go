package labtest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"trustmark"
)

// Review decisions.
const (
	// DecisionConfirm keeps the probe's pre-filled outcome.
	DecisionConfirm = "confirm"
	// DecisionOverride replaces it with the lab's outcome, for a reason.
	DecisionOverride = "override"
)

// Review is the lab's judgement of a probe's pre-filled results for one
// catalog: for each requirement the probe covered, confirm its outcome or
// override it with a reason. It is a file the lab edits between the probe
// and the submission (trustmark probe --review-out, then --review).
type Review struct {
	// Report identifies the probe report reviewed; submission checks the
	// report given against it.
	Report  ReviewedReport `json:"probe_report"`
	Catalog string         `json:"catalog"`
	Results []ReviewItem   `json:"results"`
}

// ReviewedReport identifies a probe report by its bytes.
type ReviewedReport struct {
	Target string `json:"target"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// ReviewItem is one requirement under review.
type ReviewItem struct {
	Requirement  string   `json:"requirement"`
	ProbeOutcome string   `json:"probe_outcome"`
	Findings     []string `json:"findings"`
	Summary      string   `json:"summary"`
	// Decision is "confirm" or "override"; empty until the lab decides.
	Decision string `json:"decision"`
	// Outcome is the lab's outcome when overriding: pass, fail,
	// not_applicable or not_tested.
	Outcome string `json:"outcome,omitempty"`
	// Reason explains an override (required) or a confirmation (optional).
	Reason string `json:"reason,omitempty"`
}

// NewReview starts a review of a probe report for one catalog, with every
// decision open. reportJSON is the report file as the lab keeps it.
func NewReview(r *Report, reportJSON []byte, catalog string) (*Review, error) {
	if !slices.Contains(catalogOrder, catalog) {
		return nil, fmt.Errorf("catalog %q: the probe maps to %s", catalog, strings.Join(catalogOrder, " and "))
	}
	sum := sha256.Sum256(reportJSON)
	rv := &Review{
		Report:  ReviewedReport{Target: r.Target.Name, SHA256: hex.EncodeToString(sum[:]), Size: len(reportJSON)},
		Catalog: catalog,
		Results: []ReviewItem{},
	}
	for _, c := range r.Coverage {
		if c.Catalog == catalog {
			rv.Results = append(rv.Results, ReviewItem{Requirement: c.Requirement, ProbeOutcome: c.Outcome, Findings: c.Findings, Summary: c.Summary})
		}
	}
	if len(rv.Results) == 0 {
		return nil, fmt.Errorf("the probe report covers no requirement of %s", catalog)
	}
	return rv, nil
}

// ConfirmAll confirms every open decision: the lab accepts the probe's
// outcomes as they stand.
func (rv *Review) ConfirmAll(reason string) {
	for i := range rv.Results {
		if rv.Results[i].Decision == "" {
			rv.Results[i].Decision, rv.Results[i].Reason = DecisionConfirm, reason
		}
	}
}

// ReadReview decodes a review file, refusing unknown fields.
func ReadReview(rd io.Reader) (*Review, error) {
	var rv Review
	dec := json.NewDecoder(io.LimitReader(rd, 4<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rv); err != nil {
		return nil, fmt.Errorf("read review: %w", err)
	}
	return &rv, nil
}

// ErrUndecided is returned (wrapped) by TestReport while a result has no
// decision.
var ErrUndecided = errors.New("review has undecided results")

// maxEvidenceInline is the size above which the report is attached
// gzip-compressed: the API caps a request at 1 MiB, and evidence travels
// base64-encoded.
const maxEvidenceInline = 512 << 10

// TestReport builds the test report to attach: one result per reviewed
// requirement, with the lab's outcome, the probe's findings in the notes
// and the probe report as evidence (its content once, on the first result;
// the others cite it by hash). Results of previous (the application's
// latest report against the same catalog, or nil) for requirements the
// probe does not cover are carried over, so that attaching the probe's
// results does not drop the rest of the lab's work; carried names them.
func (rv *Review) TestReport(reportJSON []byte, rep *Report, previous *trustmark.TestReport, signerTitle string) (tr trustmark.TestReport, carried []string, err error) {
	sum := sha256.Sum256(reportJSON)
	if got := hex.EncodeToString(sum[:]); got != rv.Report.SHA256 {
		return tr, nil, fmt.Errorf("the review is of the probe report with SHA-256 %s, but the report given has %s", rv.Report.SHA256, got)
	}
	var open []string
	for _, it := range rv.Results {
		switch it.Decision {
		case DecisionConfirm:
		case DecisionOverride:
			switch trustmark.Outcome(it.Outcome) {
			case trustmark.OutcomePass, trustmark.OutcomeFail, trustmark.OutcomeNotApplicable, trustmark.OutcomeNotTested:
			default:
				return tr, nil, fmt.Errorf("requirement %s: an override needs an outcome of pass, fail, not_applicable or not_tested, not %q", it.Requirement, it.Outcome)
			}
			if strings.TrimSpace(it.Reason) == "" {
				return tr, nil, fmt.Errorf("requirement %s: an override needs a reason", it.Requirement)
			}
		case "":
			open = append(open, it.Requirement)
		default:
			return tr, nil, fmt.Errorf("requirement %s: decision %q is not confirm or override", it.Requirement, it.Decision)
		}
	}
	if len(open) > 0 {
		return tr, nil, fmt.Errorf("%w: %s (set each decision to confirm or override)", ErrUndecided, strings.Join(open, ", "))
	}
	ev, err := evidenceOf(reportJSON, rep)
	if err != nil {
		return tr, nil, err
	}
	tr = trustmark.TestReport{Catalog: rv.Catalog, SignerTitle: signerTitle}
	covered := map[string]bool{}
	for i, it := range rv.Results {
		covered[it.Requirement] = true
		outcome := trustmark.Outcome(it.ProbeOutcome)
		var notes strings.Builder
		fmt.Fprintf(&notes, "trustmark probe of %s pre-filled %s from findings %s: %s. ", rep.Target.Name, it.ProbeOutcome, strings.Join(it.Findings, ", "), it.Summary)
		res := trustmark.ReportResult{Requirement: it.Requirement}
		if it.Decision == DecisionOverride {
			outcome = trustmark.Outcome(it.Outcome)
			fmt.Fprintf(&notes, "The lab overrode it: %s.", it.Outcome)
			res.Justification = it.Reason
		} else {
			notes.WriteString("The lab confirmed it.")
			if it.Reason != "" {
				res.Justification = it.Reason
			}
		}
		res.Outcome = outcome
		res.Notes = clip(notes.String(), 2000)
		e := ev
		if i > 0 {
			e.Content = nil
			e.Description = clip("the same probe report as the first result's evidence; "+ev.Description, 2000)
		}
		res.Evidence = []trustmark.Evidence{e}
		tr.Results = append(tr.Results, res)
	}
	if previous != nil && previous.Catalog == rv.Catalog {
		for _, old := range previous.Results {
			if covered[old.Requirement] {
				continue
			}
			old.Notes = clip(fmt.Sprintf("carried over from report %s. %s", previous.ID, old.Notes), 2000)
			ev := make([]trustmark.Evidence, len(old.Evidence))
			for j, e := range old.Evidence {
				e.ID, e.Content = "", nil
				ev[j] = e
			}
			old.Evidence = ev
			tr.Results = append(tr.Results, old)
			carried = append(carried, old.Requirement)
		}
	}
	return tr, carried, nil
}

// evidenceOf wraps the probe report as evidence, compressed when large.
func evidenceOf(reportJSON []byte, rep *Report) (trustmark.Evidence, error) {
	sum := sha256.Sum256(reportJSON)
	name := "probe-" + safeName(rep.Target.Name) + ".json"
	desc := fmt.Sprintf("trustmark probe report (%s) of %s (%s), %s, %s to %s: %d observations, %d findings (%d failing)",
		rep.Schema, rep.Target.Name, rep.Target.Address, rep.Profile, rep.StartedAt.Format("2006-01-02 15:04:05Z"),
		rep.FinishedAt.Format("15:04:05Z"), len(rep.Observations), len(rep.Findings), len(rep.Failed()))
	content, media := reportJSON, "application/json"
	if len(reportJSON) > maxEvidenceInline {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Name = name
		if _, err := zw.Write(reportJSON); err != nil {
			return trustmark.Evidence{}, err
		}
		if err := zw.Close(); err != nil {
			return trustmark.Evidence{}, err
		}
		content, media, name = buf.Bytes(), "application/gzip", name+".gz"
		desc += fmt.Sprintf("; gzip of the report file with SHA-256 %s", hex.EncodeToString(sum[:]))
		sum = sha256.Sum256(content)
	}
	return trustmark.Evidence{Name: name, MediaType: media, SHA256: hex.EncodeToString(sum[:]), Size: len(content),
		Description: clip(desc, 2000), Content: content}, nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// clip caps a text field of the test report (the API takes 2,048
// characters).
func clip(s string, n int) string { return truncate(s, n) }
