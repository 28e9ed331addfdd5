package trustmark

import (
	"context"
	"time"
)

// Store persists the program's state. Every method that changes state does
// so in one transaction: it either happens whole or not at all. Methods
// return *Error values of the kinds their docs name; any other failure is
// KindInternal.
//
// Two implementations exist: internal/sqlite (the default) and
// internal/postgres; internal/storetest holds the conformance suite both pass.
type Store interface {
	// CreateOrganization validates o and stores it, assigning o.ID when it is
	// empty and o.CreatedAt. Errors: KindInvalid; KindConflict when the ID or
	// the kind and name are taken.
	CreateOrganization(ctx context.Context, o *Organization) error
	// Organization returns one organization. Errors: KindNotFound.
	Organization(ctx context.Context, id string) (*Organization, error)
	// ListOrganizations returns the organizations of one kind (all kinds when
	// kind is ""), ordered by name then ID.
	ListOrganizations(ctx context.Context, kind OrgKind) ([]Organization, error)

	// CreateProduct validates p and stores it, assigning p.ID when empty and
	// p.CreatedAt. Errors: KindInvalid; KindNotFound when the manufacturer
	// does not exist; KindRule when it is not a manufacturer; KindConflict
	// when the ID is taken.
	CreateProduct(ctx context.Context, p *Product) error
	// Product returns one product. Errors: KindNotFound.
	Product(ctx context.Context, id string) (*Product, error)

	// IssueGrant stores a new grant and its registry record together. The
	// record's Created and Modified are set to g.GrantedAt. Errors:
	// KindInvalid; KindNotFound when the product, CLA or lab does not exist;
	// KindConflict when the label ID or product already has a grant.
	IssueGrant(ctx context.Context, g *Grant, r *RegistryRecord) error
	// ImportGrants stores many products with their grants and records in one
	// transaction, for bulk imports: all of them or none. Each item is
	// checked as CreateProduct and IssueGrant check it. Errors: as theirs.
	ImportGrants(ctx context.Context, items []GrantImport) error
	// Grant returns one grant. Errors: KindNotFound.
	Grant(ctx context.Context, id LabelID) (*Grant, error)
	// UpdateGrant loads a grant and its record, calls fn to change them and,
	// if fn returns nil, validates and stores both in the same transaction,
	// setting the record's Modified to at. Errors: KindNotFound, whatever fn
	// returns, KindInvalid when the result does not validate.
	UpdateGrant(ctx context.Context, id LabelID, at time.Time, fn func(*Grant, *RegistryRecord) error) (*Grant, *RegistryRecord, error)

	// RegistryRecord returns the stored record of one label, without the
	// fields Resolve fills. Errors: KindNotFound.
	RegistryRecord(ctx context.Context, id LabelID) (*RegistryRecord, error)
	// ListRegistry returns one page of records matching f, newest grant
	// first, in a stable order. Errors: KindInvalid for a bad filter or cursor.
	ListRegistry(ctx context.Context, f RegistryFilter) (*RegistryPage, error)
	// RegistryChanges returns the label IDs of records changed after change
	// sequence number after, oldest change first, at most limit of them, and
	// the sequence number to pass next time. With limit 0 it returns no IDs
	// and the latest sequence number. Caches use it to stay fresh.
	RegistryChanges(ctx context.Context, after int64, limit int) ([]LabelID, int64, error)

	// Transact runs fn in one read-write transaction, committing when fn
	// returns nil and rolling back otherwise. Its error is fn's, or a store
	// failure as KindInternal.
	Transact(ctx context.Context, fn func(Tx) error) error
	// View runs fn in one read-only transaction: a consistent snapshot.
	// Writes through it fail.
	View(ctx context.Context, fn func(Tx) error) error

	// LogHead returns the current checkpoint: tree size, root hash and signed
	// note (size 0 and a nil note before the first one).
	LogHead(ctx context.Context) (size int64, root [32]byte, note []byte, err error)
	// LogSize returns how many entries are sequenced, integrated or not.
	LogSize(ctx context.Context) (int64, error)
	// LogEntries returns the entries start ≤ i < end (fewer if the log is shorter).
	LogEntries(ctx context.Context, start, end int64) ([][]byte, error)
	// LabelLog returns the indexes and entries of one label's events, oldest first.
	LabelLog(ctx context.Context, id LabelID) ([]int64, [][]byte, error)
	// ReadLogHashes returns stored Merkle hashes by their storage index
	// (golang.org/x/mod/sumdb/tlog.StoredHashIndex). Missing ones are KindInternal.
	ReadLogHashes(ctx context.Context, indexes []int64) ([][32]byte, error)
	// StoreCheckpoint stores newly integrated hashes and moves the checkpoint
	// from oldSize to newSize in one transaction; KindConflict, storing
	// nothing, when the checkpoint is no longer at oldSize.
	StoreCheckpoint(ctx context.Context, oldSize, newSize int64, ids []int64, hashes [][32]byte, root [32]byte, note []byte) error

	// Ping checks that the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// GrantImport is one product, its grant and its registry record, for
// Store.ImportGrants.
type GrantImport struct {
	Product *Product
	Grant   *Grant
	Record  *RegistryRecord
}
