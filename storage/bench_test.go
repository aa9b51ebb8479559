package storage

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// BenchmarkPollCycle measures the storage work of one poll cycle — reading
// the pending orders — with 100 pending orders among a small and a large
// history. The two figures should match: a poll reads the pending index,
// never the history.
//
//	go test -run '^$' -bench PollCycle -benchtime 200x ./storage/
func BenchmarkPollCycle(b *testing.B) {
	for _, settled := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("settled=%d", settled), func(b *testing.B) {
			db := seed(b, settled, 100)
			b.ResetTimer()
			for b.Loop() {
				orders, err := db.PendingOrders(ctx)
				if err != nil || len(orders) != 100 {
					b.Fatalf("%d pending, %v", len(orders), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/pending-order")
		})
	}
}

// BenchmarkReportToday measures /orders today and /stats over a day of 100
// orders among a small and a large history. The figures should match: a
// report walks the creation-time index over its day, never the history.
//
//	go test -run '^$' -bench ReportToday -benchtime 200x ./storage/
func BenchmarkReportToday(b *testing.B) {
	for _, settled := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("settled=%d", settled), func(b *testing.B) {
			db := seed(b, settled, 100)
			now := time.Now()
			from, to := now.Add(-24*time.Hour), now.Add(time.Hour)
			b.ResetTimer()
			for b.Loop() {
				_, total, err := db.OrdersCreated(ctx, from, to, "", 50)
				if err != nil || total != 100 {
					b.Fatalf("%d orders today, %v", total, err)
				}
				n := 0
				if err := db.EachOrderCreated(ctx, from, to, func(*flows.Order) error { n++; return nil }); err != nil || n != 100 {
					b.Fatalf("%d orders in /stats, %v", n, err)
				}
			}
		})
	}
}

// BenchmarkUpgrade2 measures the schema 2 upgrade at the first start of the
// new binary: indexing a history of 1,000,000 orders by creation time.
//
//	go test -run '^$' -bench Upgrade2 -benchtime 1x ./storage/
func BenchmarkUpgrade2(b *testing.B) {
	db := seed(b, 1_000_000, 0)
	path := db.Path()
	for b.Loop() {
		b.StopTimer()
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("1"))
		}); err != nil {
			b.Fatal(err)
		}
		db.Close()
		b.StartTimer()
		var err error
		if db, err = Open(path, Options{NoSync: true, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	db.Close()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/upgrade")
}

// seed writes settled orders in large transactions straight into the
// buckets (as years of trading would leave them), then pending ones through
// the normal path.
func seed(b *testing.B, settled, pending int) *DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.db")
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const perTx = 20_000
	for done := 0; done < settled; done += perTx {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			orders, chats, created := tx.Bucket(bucketOrders), tx.Bucket(bucketChatOrders), tx.Bucket(bucketCreated)
			for i := done; i < min(done+perTx, settled); i++ {
				o := newOrder(fmt.Sprintf("H%018d", i), int64(i%5000), fmt.Sprintf("T%d", i))
				o.Status, o.SN, o.CreatedAt = flows.StatusSuccess, "1234567890", start.Add(time.Duration(i)*time.Second)
				v, err := json.Marshal(o)
				if err != nil {
					return err
				}
				if err := orders.Put([]byte(o.RefID), v); err != nil {
					return err
				}
				if err := chats.Put(chatOrderKey(&o), []byte(o.RefID)); err != nil {
					return err
				}
				if err := created.Put(createdKey(&o), []byte(o.RefID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for i := range pending {
		o := newOrder(fmt.Sprintf("P%018d", i), int64(i), fmt.Sprintf("P%d", i))
		if _, _, err := db.CreateOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	return db
}
