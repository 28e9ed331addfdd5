package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"trustmark"
	"trustmark/internal/tlog"
)

// fetchError marks a failure to reach the server or an unexpected answer
// (exit code 3), as opposed to a verification failure (exit code 1).
type fetchError struct{ err error }

func (e fetchError) Error() string { return e.err.Error() }
func (e fetchError) Unwrap() error { return e.err }

const verifySynopsis = `verify LABEL_URL_OR_ID [flags]
       verify --image PHOTO.png [flags]
       verify --offline PROOF_FILE --key KEY [--record RECORD.json]

Verifies a label against the public transparency log: fetches the registry
record, a c2sp.org/tlog-proof of the label's latest event and the log's
checkpoint; checks the checkpoint's signature, the event's inclusion in the
tree, and that the record served is the one the log holds (its hash). With
--state it remembers the last checkpoint seen and demands that the log only
ever grew since (a consistency proof built from the log's tiles).

LABEL_URL_OR_ID is the URL in the label's QR code (https://host/p/ID) or a
label ID with --url. With --image, the URL is read from the QR code in a
photo or scan of the label (PNG, JPEG or GIF); a picture without a readable
QR code, or whose QR code holds no label URL, fails with exit code 1.

Exit codes: 0 verified; 1 verification failed (the message says what);
2 usage error; 3 the server could not be reached or answered unexpectedly.`

var labelURL = regexp.MustCompile(`^(https?://[^?#]*?)/p/([^/?#]+)(/details)?/?$`)

// runVerify implements "trustmark verify".
func runVerify(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", verifySynopsis, stderr)
	var base, key, stateDir, offline, recordFile string
	ef := &envFlags{fs: fs, getenv: getenv}
	ef.str(&base, "url", "TRUSTMARK_URL", "http://127.0.0.1:8080", "the server's base URL when a label ID is given")
	fs.StringVar(&key, "key", "", "the log's verifier key, or a file holding it (default: remembered in --state, else fetched from the server)")
	fs.StringVar(&stateDir, "state", "", "directory remembering the log key and the last checkpoint seen")
	fs.StringVar(&offline, "offline", "", "verify a saved proof file without network (needs --key)")
	fs.StringVar(&recordFile, "record", "", "with --offline: a saved registry record (JSON) to check against the proof")
	imageFile := fs.String("image", "", "a photo or scan of the label (PNG, JPEG or GIF): verify the URL its QR code holds")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if key != "" {
		if b, err := os.ReadFile(key); err == nil {
			key = strings.TrimSpace(string(b))
		}
	}
	if offline != "" {
		if len(pos) != 0 || key == "" {
			return usageError{"verify --offline PROOF_FILE needs --key and no label"}
		}
		return verifyOffline(offline, recordFile, key, *asJSON, stdout)
	}
	if *imageFile != "" {
		if len(pos) != 0 {
			return usageError{"verify --image PHOTO takes no label URL or ID"}
		}
		u, err := labelURLFromImage(*imageFile)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "the QR code in %s opens %s\n", *imageFile, u)
		pos = []string{u}
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError{"verify needs one label URL or ID"}
	}
	target := pos[0]
	if m := labelURL.FindStringSubmatch(target); m != nil {
		base, target = m[1], m[2]
	} else if strings.Contains(target, "://") {
		return usageError{fmt.Sprintf("%q is not a label URL like https://host/p/H7QK-3M9D-W2RX", target)}
	}
	id, err := trustmark.ParseLabelID(target)
	if err != nil {
		return usageError{err.Error()}
	}
	base = strings.TrimRight(base, "/")
	st := newVerifyState(stateDir, base)
	if key == "" {
		if key, err = st.key(ctx, base, stderr); err != nil {
			return err
		}
	}
	res, err := verifyLabel(ctx, base, id, key, st)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%s — %s by %s\n", res.LabelID, res.Product, res.Manufacturer)
	fmt.Fprintf(stdout, "status: %s; support until %s\n", res.ConsumerStatus, res.SupportDate)
	fmt.Fprintf(stdout, "verified in the public log %s at index %d (checkpoint of size %d)\n", res.Origin, res.Index, res.CheckpointSize)
	if res.ConsistentWith > 0 {
		fmt.Fprintf(stdout, "the log only grew since the checkpoint of size %d seen before\n", res.ConsistentWith)
	}
	return nil
}

// verifyResult is what verify established.
type verifyResult struct {
	LabelID        trustmark.LabelID        `json:"label_id"`
	Product        string                   `json:"product_name"`
	Manufacturer   string                   `json:"manufacturer_name"`
	Status         trustmark.GrantStatus    `json:"status"`
	ConsumerStatus trustmark.ConsumerStatus `json:"consumer_status"`
	SupportDate    trustmark.Date           `json:"support_date"`
	Event          trustmark.LabelEvent     `json:"event"`
	Index          int64                    `json:"log_index"`
	Origin         string                   `json:"log_origin"`
	CheckpointSize int64                    `json:"checkpoint_size"`
	ConsistentWith int64                    `json:"consistent_with_size,omitempty"`
}

func verifyLabel(ctx context.Context, base string, id trustmark.LabelID, key string, st *verifyState) (*verifyResult, error) {
	recJSON, err := fetch(ctx, base+"/api/v1/registry/"+string(id))
	if err != nil {
		return nil, err
	}
	var rec trustmark.RegistryRecord
	if err := json.Unmarshal(recJSON, &rec); err != nil {
		return nil, fetchError{fmt.Errorf("the registry record is not JSON: %w", err)}
	}
	proofText, err := fetch(ctx, base+"/api/v1/registry/"+string(id)+"/proof")
	if err != nil {
		return nil, err
	}
	proof, err := tlog.ParseProof(proofText)
	if err != nil {
		return nil, err
	}
	cp, ev, err := checkProof(proof, key, &rec)
	if err != nil {
		return nil, err
	}
	if ev.LabelID != id {
		return nil, fmt.Errorf("%w: the proof is for label %s, not %s", tlog.ErrVerify, ev.LabelID, id)
	}
	res := &verifyResult{LabelID: id, Product: rec.ProductName, Manufacturer: rec.ManufacturerName, Status: rec.Status,
		ConsumerStatus: rec.ConsumerStatus(time.Now()), SupportDate: rec.SupportDate, Event: ev, Index: proof.Index,
		Origin: cp.Origin, CheckpointSize: cp.Size}
	if old, err := st.checkpoint(key); err != nil {
		return nil, err
	} else if old != nil {
		remote := tlog.NewRemote(base+"/log", key, nil)
		if cp.Size < old.Size {
			return nil, fmt.Errorf("%w: the log now shows a checkpoint of size %d, smaller than the %d seen before", tlog.ErrVerify, cp.Size, old.Size)
		}
		if err := remote.Consistency(ctx, old, cp); err != nil {
			return nil, err
		}
		res.ConsistentWith = old.Size
	}
	return res, st.save(cp)
}

// checkProof verifies a proof whose extra data is the logged event, and
// that rec (if given) is the record the event names.
func checkProof(proof *tlog.Proof, key string, rec *trustmark.RegistryRecord) (*tlog.Checkpoint, trustmark.LabelEvent, error) {
	if proof.Extra == nil {
		return nil, trustmark.LabelEvent{}, fmt.Errorf("%w: the proof carries no logged event (no extra line)", tlog.ErrVerify)
	}
	cp, err := tlog.VerifyProof(proof, proof.Extra, key)
	if err != nil {
		return nil, trustmark.LabelEvent{}, err
	}
	ev, err := trustmark.DecodeLabelEvent(proof.Extra)
	if err != nil {
		return nil, ev, fmt.Errorf("%w: the logged entry is not a label event: %v", tlog.ErrVerify, err)
	}
	if rec != nil {
		if got := trustmark.RecordHash(rec); got != ev.RecordSHA256 {
			return nil, ev, fmt.Errorf("%w: the registry record served for %s (hash %s) is not the one the log holds (hash %s): it changed without a logged event", tlog.ErrVerify, ev.LabelID, got[:16], ev.RecordSHA256[:16])
		}
		if rec.Status != ev.Status || rec.SupportDate != ev.SupportDate {
			return nil, ev, fmt.Errorf("%w: the record says %s until %s but the log says %s until %s", tlog.ErrVerify, rec.Status, rec.SupportDate, ev.Status, ev.SupportDate)
		}
	}
	return cp, ev, nil
}

func verifyOffline(proofFile, recordFile, key string, asJSON bool, stdout io.Writer) error {
	text, err := os.ReadFile(proofFile)
	if err != nil {
		return err
	}
	proof, err := tlog.ParseProof(text)
	if err != nil {
		return err
	}
	var rec *trustmark.RegistryRecord
	if recordFile != "" {
		b, err := os.ReadFile(recordFile)
		if err != nil {
			return err
		}
		rec = &trustmark.RegistryRecord{}
		if err := json.Unmarshal(b, rec); err != nil {
			return usageError{fmt.Sprintf("%s is not a registry record: %v", recordFile, err)}
		}
	}
	cp, ev, err := checkProof(proof, key, rec)
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(stdout, map[string]any{"event": ev, "log_index": proof.Index, "log_origin": cp.Origin, "checkpoint_size": cp.Size})
	}
	fmt.Fprintf(stdout, "%s: %s event, status %s, support until %s, record %s…\n", ev.LabelID, ev.Event, ev.Status, ev.SupportDate, ev.RecordSHA256[:16])
	fmt.Fprintf(stdout, "verified offline in the log %s at index %d (checkpoint of size %d)\n", cp.Origin, proof.Index, cp.Size)
	return nil
}

// fetch GETs a URL, returning the body of a 200 answer.
func fetch(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fetchError{err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fetchError{err}
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(b))
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		return nil, fetchError{fmt.Errorf("GET %s: %s: %s", u, resp.Status, truncateMsg(msg))}
	}
	return b, nil
}

func truncateMsg(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// verifyState remembers, per server, the log key and the last checkpoint.
type verifyState struct {
	dir string // "" keeps nothing
}

func newVerifyState(root, base string) *verifyState {
	if root == "" {
		return &verifyState{}
	}
	u, _ := url.Parse(base)
	name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(u.Host+u.Path, "_")
	return &verifyState{dir: filepath.Join(root, name)}
}

// key returns the remembered key, or fetches the server's and remembers it
// (trust on first use, said on stderr).
func (s *verifyState) key(ctx context.Context, base string, stderr io.Writer) (string, error) {
	if s.dir != "" {
		if b, err := os.ReadFile(filepath.Join(s.dir, "key")); err == nil {
			return strings.TrimSpace(string(b)), nil
		}
	}
	b, err := fetch(ctx, base+"/api/v1/log/key")
	if err != nil {
		return "", err
	}
	key := strings.TrimSpace(string(b))
	fmt.Fprintf(stderr, "trusting the log key the server presented (first use): %s\n", key)
	if s.dir != "" {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(s.dir, "key"), []byte(key+"\n"), 0o600); err != nil {
			return "", err
		}
	}
	return key, nil
}

// checkpoint returns the last checkpoint seen, verified, or nil.
func (s *verifyState) checkpoint(key string) (*tlog.Checkpoint, error) {
	if s.dir == "" {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(s.dir, "checkpoint"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cp, err := tlog.OpenCheckpoint(b, key)
	if err != nil {
		return nil, fmt.Errorf("the remembered checkpoint in %s does not verify with the key: %w", s.dir, err)
	}
	return cp, nil
}

// save remembers cp if it is newer than the one remembered.
func (s *verifyState) save(cp *tlog.Checkpoint) error {
	if s.dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(s.dir, "checkpoint")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, cp.Note, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// monitor follows a remote log, printing its events.
func monitor(ctx context.Context, base, key, stateDir string, every time.Duration, once bool, stdout, stderr io.Writer) error {
	base = strings.TrimRight(base, "/")
	st := newVerifyState(stateDir, base)
	var err error
	if key == "" {
		if key, err = st.key(ctx, base, stderr); err != nil {
			return err
		}
	}
	remote := tlog.NewRemote(base+"/log", key, nil)
	prev, err := st.checkpoint(key)
	if err != nil {
		return err
	}
	for {
		cp, err := remote.Checkpoint(ctx)
		if err != nil {
			if errors.Is(err, tlog.ErrVerify) {
				return err
			}
			return fetchError{err}
		}
		if prev == nil {
			fmt.Fprintf(stdout, "following %s from checkpoint size %d\n", cp.Origin, cp.Size)
		} else {
			if cp.Size < prev.Size {
				return fmt.Errorf("%w: checkpoint size went back from %d to %d", tlog.ErrVerify, prev.Size, cp.Size)
			}
			if err := remote.Consistency(ctx, prev, cp); err != nil {
				return err
			}
			if cp.Size > prev.Size {
				entries, err := remote.Entries(ctx, cp, prev.Size, cp.Size)
				if err != nil {
					return err
				}
				for i, e := range entries {
					idx := prev.Size + int64(i)
					if ev, err := trustmark.DecodeLabelEvent(e); err == nil {
						fmt.Fprintf(stdout, "%d %s %s %s support %s record %s\n", idx, ev.Time.Format(time.RFC3339), ev.LabelID, describe(ev), ev.SupportDate, ev.RecordSHA256[:16])
					} else {
						fmt.Fprintf(stdout, "%d (%d bytes, not a label event)\n", idx, len(e))
					}
				}
				fmt.Fprintf(stdout, "checkpoint %d consistent with %d\n", cp.Size, prev.Size)
			}
		}
		if err := st.save(cp); err != nil {
			return err
		}
		prev = cp
		if once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

func describe(ev trustmark.LabelEvent) string {
	if ev.Event == trustmark.EventStatus {
		return "status→" + string(ev.Status)
	}
	return string(ev.Event)
}
