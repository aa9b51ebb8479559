package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"topupbot/flows"
)

// SchemaVersion is the database layout this binary writes. A file with a
// newer version is refused: an older binary would misread it. An older file
// is upgraded at Open (migration.go).
//
//  1. orders with their pending, per-chat and confirm-token indexes.
//  2. orders indexed by creation time too (orders_created), which reports
//     read; the outbox indexed by chat (outbox_chats), which the drainer reads.
const SchemaVersion = 2

// Bucket names. They are the database format: never rename one.
var (
	bucketOrders     = []byte("orders")          // ref_id → order JSON
	bucketPending    = []byte("pending")         // ref_id → created_at (unix nanos); placing and pending orders
	bucketChatOrders = []byte("chat_orders")     // chat_id | created_at | ref_id → ref_id
	bucketCreated    = []byte("orders_created")  // created_at | ref_id → ref_id (schema 2)
	bucketConfirm    = []byte("confirm")         // chat_id | token → ref_id
	bucketSessions   = []byte("sessions")        // chat_id → session JSON
	bucketOutbox     = []byte("outbox")          // notification id → notification JSON
	bucketChatOutbox = []byte("outbox_chats")    // chat_id | notification id → id (schema 2)
	bucketCatalog    = []byte("catalog")         // "source.<name>" → one catalog source's JSON; "products" → the single list of earlier versions
	bucketSettings   = []byte("settings")        // key → value
	bucketMeta       = []byte("meta")            // "schema", "telegram_offset"
	bucketInbox      = []byte("inbox")           // update_id → raw Telegram update, received and not yet applied
	bucketWallets    = []byte("wallets")         // user_id → wallet JSON (balance, held)
	bucketLedger     = []byte("ledger")          // user_id | entry id (uint64) → ledger entry JSON; append-only
	bucketCredited   = []byte("ledger_credited") // deposit id → ledger key of the deposit entry that credited it
	bucketDeposits   = []byte("deposits")        // deposit id → deposit JSON
	bucketDepOpen    = []byte("deposits_open")   // deposit id → created_at (unix nanos); waiting and sent deposits
	bucketDepUser    = []byte("deposits_user")   // user_id | created_at | deposit id → deposit id
	bucketAttempts   = []byte("attempt_refs")    // an attempt's own ref → its order's ref_id (several providers)
)

var allBuckets = [][]byte{
	bucketOrders, bucketPending, bucketChatOrders, bucketCreated, bucketConfirm, bucketSessions,
	bucketOutbox, bucketChatOutbox, bucketCatalog, bucketSettings, bucketMeta, bucketInbox,
	// The ledger's buckets are new and start empty: created here, they
	// need no schema upgrade.
	bucketWallets, bucketLedger, bucketCredited,
	// So are the deposits'.
	bucketDeposits, bucketDepOpen, bucketDepUser,
	// And the attempts' refs (several providers).
	bucketAttempts,
	// The admins' product names and hidden codes: new, empty at first.
	bucketOverrides,
}

// ErrInUse is returned by Open when another process holds the database.
var ErrInUse = errors.New("database is in use by another topupbot")

// ErrNewerSchema is returned by Open for a database written by a newer
// topupbot.
var ErrNewerSchema = errors.New("database was written by a newer topupbot")

// Options configures Open.
type Options struct {
	// LockTimeout is how long Open waits for another process to release
	// the file (default 1 s).
	LockTimeout time.Duration
	// ReadOnly opens the file for reading (backups of a stopped bot).
	ReadOnly bool
	// NoSync skips fsync; for benchmarks that measure everything else only.
	NoSync bool
	// Now defaults to time.Now.
	Now func() time.Time
	// Logger receives the schema upgrade's lines (default slog.Default()).
	Logger *slog.Logger
}

// DB is topupbot's database: one bbolt file.
type DB struct {
	bolt *bolt.DB
	path string
	now  func() time.Time
	log  *slog.Logger
}

// DB is every store flows declares: one block, so a new flows interface
// that DB serves is asserted where a reader looks for the others.
var (
	_ flows.AccessRequests    = (*DB)(nil)
	_ flows.AdminStore        = (*DB)(nil)
	_ flows.CatalogStore      = (*DB)(nil)
	_ flows.ConversationStore = (*DB)(nil)
	_ flows.DepositStore      = (*DB)(nil)
	_ flows.OrderStore        = (*DB)(nil)
	_ flows.OutboxStore       = (*DB)(nil)
	_ flows.WalletStore       = (*DB)(nil)
)

// Open opens or creates the database at path, creating every bucket, and
// refuses a file from a newer schema.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("storage: open %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: opts.Now, log: opts.Logger}
	check := db.prepare
	if opts.ReadOnly {
		check = db.checkSchema
	}
	if err := check(); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return db, nil
}

// prepare creates every bucket, refuses a file from a newer schema and
// upgrades one from an older schema, so that the bot's first start on a new
// binary already sees every index complete.
func (db *DB) prepare() error {
	var version int
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("creating bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get([]byte("schema"))
		if v == nil {
			if k, _ := tx.Bucket(bucketOrders).Cursor().First(); k == nil {
				// A new file: nothing to upgrade.
				version = SchemaVersion
				return meta.Put([]byte("schema"), []byte(strconv.Itoa(SchemaVersion)))
			}
			// Orders but no version: the first layout.
			v = []byte("1")
		}
		var err error
		version, err = schemaOf(v)
		return err
	})
	if err != nil {
		return err
	}
	if version < 2 {
		if err := db.upgrade2(version); err != nil {
			return fmt.Errorf("upgrading schema %d to 2: %w", version, err)
		}
	}
	return nil
}

func (db *DB) checkSchema() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("not a topupbot database (no meta bucket)")
		}
		_, err := schemaOf(meta.Get([]byte("schema")))
		return err
	})
}

// schemaOf reads a stored schema version, refusing one newer than this
// binary.
func schemaOf(v []byte) (int, error) {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, fmt.Errorf("unreadable schema version %q", v)
	}
	if n > SchemaVersion {
		return 0, fmt.Errorf("%w: schema version %d, this binary knows up to %d; run a newer topupbot", ErrNewerSchema, n, SchemaVersion)
	}
	return n, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the database file.
func (db *DB) Path() string { return db.path }

// WriteBackup streams a consistent copy of the whole database to w while
// the bot keeps running (a read transaction sees one snapshot).
func (db *DB) WriteBackup(w io.Writer) (int64, error) { return db.Snapshot(w, nil) }

// BackupFile writes a consistent copy of the database to a new file at
// path, refusing to overwrite one.
func (db *DB) BackupFile(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("storage: backup: %w", err)
	}
	n, err := db.WriteBackup(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("storage: backup: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
		return 0, err
	}
	return n, nil
}

// i64 encodes n so that byte order is numeric order, negative numbers (group
// chat ids) included.
func i64(n int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n)^(1<<63))
	return b[:]
}

func fromI64(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

// Times UnixNano can represent (years 1678 to 2262).
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// nanos is t in Unix nanoseconds for index keys, clamped to what an int64
// holds (UnixNano is undefined beyond it): a zero time sorts first.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}
