package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

var keyOffset = []byte("telegram_offset")

type savedOffset struct {
	Offset  int       `json:"offset"`
	SavedAt time.Time `json:"saved_at"`
}

// TelegramOffset returns the saved getUpdates offset and when it was saved;
// zero values if none was saved.
func (db *DB) TelegramOffset(ctx context.Context) (int, time.Time, error) {
	var s savedOffset
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyOffset)
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: telegram offset: %w", err)
	}
	return s.Offset, s.SavedAt, nil
}

// SaveTelegramOffset records the getUpdates offset with the time it was
// saved (an offset older than Telegram's 24 h retention is worthless).
func (db *DB) SaveTelegramOffset(ctx context.Context, offset int) error {
	v, err := json.Marshal(savedOffset{Offset: offset, SavedAt: db.now()})
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOffset, v) })
	if err != nil {
		return fmt.Errorf("storage: save telegram offset: %w", err)
	}
	return nil
}

// Setting returns a runtime setting and whether it is set.
func (db *DB) Setting(ctx context.Context, key string) (string, bool, error) {
	var (
		val string
		ok  bool
	)
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketSettings).Get([]byte(key)); v != nil {
			val, ok = string(v), true
		}
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("storage: setting %s: %w", key, err)
	}
	return val, ok, nil
}

// SetSetting stores a runtime setting; an empty value deletes it.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		if value == "" {
			return b.Delete([]byte(key))
		}
		return b.Put([]byte(key), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("storage: set setting %s: %w", key, err)
	}
	return nil
}

var keyProducts = []byte("products")

type savedCatalog struct {
	SavedAt  time.Time       `json:"saved_at"`
	Products []flows.Product `json:"products"`
}

// SaveCatalog caches the provider's product list, replacing the previous one.
func (db *DB) SaveCatalog(ctx context.Context, products []flows.Product) error {
	v, err := json.Marshal(savedCatalog{SavedAt: db.now(), Products: products})
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCatalog).Put(keyProducts, v) })
	if err != nil {
		return fmt.Errorf("storage: save catalog: %w", err)
	}
	return nil
}

// Catalog returns the cached product list and when it was saved; an error
// wrapping flows.ErrNotFound if none was.
func (db *DB) Catalog(ctx context.Context) ([]flows.Product, time.Time, error) {
	var s savedCatalog
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCatalog).Get(keyProducts)
		if v == nil {
			return flows.ErrNotFound
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("storage: catalog: %w", err)
	}
	return s.Products, s.SavedAt, nil
}

// sourceKey is where a catalog source's copy is kept, beside the single
// "products" list earlier versions kept.
func sourceKey(source string) []byte { return []byte("source." + source) }

// SaveSourceCatalog keeps one catalog source's product list, replacing its
// previous copy and no other source's.
func (db *DB) SaveSourceCatalog(ctx context.Context, source string, products []flows.Product) error {
	v, err := json.Marshal(savedCatalog{SavedAt: db.now(), Products: products})
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCatalog).Put(sourceKey(source), v) })
	if err != nil {
		return fmt.Errorf("storage: save catalog %s: %w", source, err)
	}
	return nil
}

// SourceCatalog returns a catalog source's saved list and when it was
// saved; an error wrapping flows.ErrNotFound if it never was.
func (db *DB) SourceCatalog(ctx context.Context, source string) ([]flows.Product, time.Time, error) {
	var s savedCatalog
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCatalog).Get(sourceKey(source))
		if v == nil {
			return flows.ErrNotFound
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("storage: catalog %s: %w", source, err)
	}
	return s.Products, s.SavedAt, nil
}

// Session decodes a chat's saved session into v and reports whether there
// was one.
func (db *DB) Session(ctx context.Context, chatID int64, v any) (bool, error) {
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSessions).Get(i64(chatID))
		if raw == nil {
			return nil
		}
		found = true
		return json.Unmarshal(raw, v)
	})
	if err != nil {
		return false, fmt.Errorf("storage: session %d: %w", chatID, err)
	}
	return found, nil
}

// SaveSession stores a chat's session; a nil v deletes it.
func (db *DB) SaveSession(ctx context.Context, chatID int64, v any) error {
	var raw []byte
	if v != nil {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return fmt.Errorf("storage: save session %d: %w", chatID, err)
		}
	}
	// Every chat's worker saves its session after each update: Batch
	// coalesces concurrent saves into one commit (one fsync). The function
	// may run twice, which a Put or Delete of the same bytes allows.
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if raw == nil {
			return b.Delete(i64(chatID))
		}
		return b.Put(i64(chatID), raw)
	})
	if err != nil {
		return fmt.Errorf("storage: save session %d: %w", chatID, err)
	}
	return nil
}
