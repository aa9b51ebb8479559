package storage

import (
	"errors"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"topupbot/flows"
)

// createAt writes an order created at `at` with a ref from flows.NewRefID
// and moves it to status.
func createAt(t *testing.T, db *DB, rnd *rand.Rand, at time.Time, status flows.Status) flows.Order {
	t.Helper()
	ref, err := flows.NewRefID(at, rnd)
	if err != nil {
		t.Fatal(err)
	}
	o := newOrder(ref, 1, "tok-"+ref)
	o.CreatedAt = at
	if _, _, err := db.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if status != flows.StatusPlacing {
		o, err = db.UpdateOrder(ctx, ref, func(o *flows.Order) ([]flows.Notification, error) {
			o.Status = status
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func refs(orders []flows.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.RefID
	}
	return out
}

func TestOrdersCreated(t *testing.T) {
	db, _, _ := openTest(t)
	rnd := rand.New(rand.NewSource(1))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	yesterday := createAt(t, db, rnd, day.Add(-time.Second), flows.StatusSuccess)
	var today []flows.Order
	for i, s := range []flows.Status{flows.StatusSuccess, flows.StatusFailed, flows.StatusPending, flows.StatusFailed, flows.StatusSuccess} {
		today = append(today, createAt(t, db, rnd, day.Add(time.Duration(i)*time.Hour+time.Minute), s))
	}
	tomorrow := createAt(t, db, rnd, day.AddDate(0, 0, 1), flows.StatusFailed)

	got, total, err := db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := refs(today)
	slices.Reverse(want) // newest first
	if total != 5 || !slices.Equal(refs(got), want) {
		t.Errorf("today: total %d, got %v, want %v", total, refs(got), want)
	}

	got, total, err = db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), flows.StatusFailed, 1)
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(got) != 1 || got[0].RefID != today[3].RefID {
		t.Errorf("failed, limit 1: total %d, got %v, want the newest failed %s", total, refs(got), today[3].RefID)
	}

	// The ends are exact to the nanosecond, not to the ref's second.
	got, _, err = db.OrdersCreated(ctx, day.Add(-time.Second), day.Add(time.Minute+1), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{today[0].RefID, yesterday.RefID}; !slices.Equal(refs(got), want) {
		t.Errorf("edges: got %v, want %v", refs(got), want)
	}
	got, _, err = db.OrdersCreated(ctx, day.AddDate(0, 0, 1), day.AddDate(0, 0, 2), "", 100)
	if err != nil || !slices.Equal(refs(got), []string{tomorrow.RefID}) {
		t.Errorf("tomorrow: got %v, %v", refs(got), err)
	}
	got, total, err = db.OrdersCreated(ctx, day.AddDate(0, 0, 5), day.AddDate(0, 0, 6), "", 100)
	if err != nil || total != 0 || len(got) != 0 {
		t.Errorf("empty day: %v %d %v", refs(got), total, err)
	}
}

// TestReportsSeek: a report reads only its time range. A record it cannot
// decode, outside the range, would fail a report that scanned everything.
func TestReportsSeek(t *testing.T) {
	db, _, _ := openTest(t)
	rnd := rand.New(rand.NewSource(2))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	in := createAt(t, db, rnd, day.Add(time.Hour), flows.StatusSuccess)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOrders)
		for _, k := range []string{"261122235959BROKEN1", "261124000000BROKEN2", "ZZZLEGACY"} {
			if err := b.Put([]byte(k), []byte("{not json")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, total, err := db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), "", 10)
	if err != nil || total != 1 || got[0].RefID != in.RefID {
		t.Fatalf("OrdersCreated: %v %d %v", refs(got), total, err)
	}
	var seen []string
	err = db.EachOrderCreated(ctx, day, day.AddDate(0, 0, 1), func(o *flows.Order) error {
		seen = append(seen, o.RefID)
		return nil
	})
	if err != nil || !slices.Equal(seen, []string{in.RefID}) {
		t.Fatalf("EachOrderCreated: %v %v", seen, err)
	}
}

func TestEachOrderCreated(t *testing.T) {
	db, _, _ := openTest(t)
	rnd := rand.New(rand.NewSource(3))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	var want []string
	for i := range 30 {
		o := createAt(t, db, rnd, day.Add(time.Duration(i)*37*time.Minute), flows.StatusSuccess)
		want = append(want, o.RefID)
	}
	createAt(t, db, rnd, day.AddDate(0, 0, -1), flows.StatusSuccess)
	var got []string
	err := db.EachOrderCreated(ctx, day, day.AddDate(0, 0, 1), func(o *flows.Order) error {
		got = append(got, o.RefID)
		return nil
	})
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %v, %v; want %v", got, err, want)
	}
	stop := errors.New("stop")
	n := 0
	err = db.EachOrderCreated(ctx, day, day.AddDate(0, 0, 1), func(o *flows.Order) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("stopping: %v after %d", err, n)
	}
}

func TestUpdateSettings(t *testing.T) {
	db, _, _ := openTest(t)
	if err := db.SetSetting(ctx, "a", "1"); err != nil {
		t.Fatal(err)
	}
	err := db.UpdateSettings(ctx, []string{"a", "b"}, func(v map[string]string) error {
		if _, ok := v["b"]; ok || v["a"] != "1" {
			t.Errorf("read %v", v)
		}
		v["a"], v["b"] = "", "2"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.Setting(ctx, "a"); ok {
		t.Error("an emptied setting is still set")
	}
	if v, _, _ := db.Setting(ctx, "b"); v != "2" {
		t.Errorf("b = %q", v)
	}
	failed := errors.New("no")
	if err := db.UpdateSettings(ctx, []string{"b"}, func(v map[string]string) error { v["b"] = "3"; return failed }); !errors.Is(err, failed) {
		t.Errorf("err %v", err)
	}
	if v, _, _ := db.Setting(ctx, "b"); v != "2" {
		t.Errorf("a failed update wrote b = %q", v)
	}

	// Concurrent read-modify-writes lose nothing.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.UpdateSettings(ctx, []string{"list"}, func(v map[string]string) error {
				if v["list"] != "" {
					v["list"] += ","
				}
				v["list"] += strconv.Itoa(i)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	v, _, _ := db.Setting(ctx, "list")
	for i := range 20 {
		if !slices.Contains(strings.Split(v, ","), strconv.Itoa(i)) {
			t.Errorf("list %q lost %d", v, i)
		}
	}
}
