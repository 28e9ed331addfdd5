package trustmark

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EventKind is what happened to a label, as recorded in the transparency log.
type EventKind string

// The label events.
const (
	// EventGrant: the label was granted and its record published.
	EventGrant EventKind = "grant"
	// EventDisclosures: the registry disclosures changed (e.g. support extended).
	EventDisclosures EventKind = "disclosures"
	// EventStatus: the grant's status changed (suspended, cured, terminated,
	// withdrawn, surrendered, set aside).
	EventStatus EventKind = "status"
	// EventSupportEnded: the support period end date passed.
	EventSupportEnded EventKind = "support_ended"
	// EventSnapshot: the record as it stood when the log began (records
	// created before the log existed).
	EventSnapshot EventKind = "snapshot"
)

// EventVersion is the version of the label event encoding.
const EventVersion = 1

// LabelEvent is one entry of the transparency log. Its encoding (Encode) is
// canonical: JSON with the fields in this order, no insignificant space,
// times in RFC 3339 UTC with nanoseconds, and a version number, so that
// anyone can check an entry against a record. See docs/transparency.md.
type LabelEvent struct {
	V            int         `json:"v"`
	LabelID      LabelID     `json:"label_id"`
	Event        EventKind   `json:"event"`
	Status       GrantStatus `json:"status"`
	SupportDate  Date        `json:"support_date"`
	RecordSHA256 string      `json:"record_sha256"`
	Time         time.Time   `json:"time"`
}

// NewLabelEvent returns the event of kind for the record as it now stands.
func NewLabelEvent(kind EventKind, r *RegistryRecord, at time.Time) LabelEvent {
	return LabelEvent{V: EventVersion, LabelID: r.LabelID, Event: kind, Status: r.Status, SupportDate: r.SupportDate,
		RecordSHA256: RecordHash(r), Time: at.UTC()}
}

// Encode returns the canonical bytes of the event, as logged.
func (e LabelEvent) Encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		panic("trustmark: encode label event: " + err.Error()) // plain data: cannot fail
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// DecodeLabelEvent parses a logged event, refusing anything that is not
// exactly its canonical encoding.
func DecodeLabelEvent(b []byte) (LabelEvent, error) {
	var e LabelEvent
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, Errorf(KindInvalid, "not a label event: %v", err)
	}
	if e.V != EventVersion {
		return e, Errorf(KindInvalid, "label event version %d is not supported (want %d)", e.V, EventVersion)
	}
	if !bytes.Equal(e.Encode(), b) {
		return e, Errorf(KindInvalid, "label event is not in canonical form")
	}
	return e, nil
}

// RecordHash is the hex SHA-256 of a record's canonical JSON: the record's
// keys sorted, without the fields that depend on where and when it is served
// (QR_code_url, supported, sbom_hbom_available, schema_version, log_index
// and the sensor icons). The same record served at any base URL has the same hash.
func RecordHash(r *RegistryRecord) string {
	sum := sha256.Sum256(CanonicalRecord(r))
	return hex.EncodeToString(sum[:])
}

// CanonicalRecord returns the bytes RecordHash hashes.
func CanonicalRecord(r *RegistryRecord) []byte {
	c := *r
	c.QRCodeURL, c.Supported, c.SchemaVersion, c.SBOMHBOMAvailable, c.LogIndex = "", false, "", SBOMHBOMAvailable{}, nil
	c.SensorDataCollection = make([]Sensor, len(r.SensorDataCollection))
	for i, s := range r.SensorDataCollection {
		s.Icons = nil
		c.SensorDataCollection[i] = s
	}
	b, err := json.Marshal(&c)
	if err != nil {
		panic("trustmark: encode record: " + err.Error())
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic("trustmark: decode record: " + err.Error())
	}
	for _, k := range []string{"QR_code_url", "supported", "sbom_hbom_available", "schema_version"} {
		delete(m, k)
	}
	normalize(m)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		panic("trustmark: encode record: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// normalize drops nulls and empty lists, so that a record read back (where
// Resolve turned absent lists into empty ones) hashes like the stored one.
func normalize(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if l, ok := e.([]any); e == nil || ok && len(l) == 0 {
				delete(x, k)
				continue
			}
			normalize(e)
		}
	case []any:
		for _, e := range x {
			normalize(e)
		}
	}
}
