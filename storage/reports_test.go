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
		for _, k := range []struct {
			ref string
			at  time.Time
		}{
			{"261122235959BROKEN1", day.Add(-time.Nanosecond)},
			{"261124000000BROKEN2", day.AddDate(0, 0, 1)},
			{"ZZZLEGACY", day.AddDate(-1, 0, 0)},
		} {
			if err := b.Put([]byte(k.ref), []byte("{not json")); err != nil {
				return err
			}
			o := flows.Order{RefID: k.ref, CreatedAt: k.at}
			if err := tx.Bucket(bucketCreated).Put(createdKey(&o), []byte(k.ref)); err != nil {
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

// TestReportsBillAcrossMidnight: a bill inquired at 23:55 (its ref minted
// then) and paid at 00:05 (its order written then) belongs to the day its
// order was written, and is in exactly one day's reports: /orders today,
// /orders failed and /stats read these two.
func TestReportsBillAcrossMidnight(t *testing.T) {
	db, _, clk := openTest(t)
	rnd := rand.New(rand.NewSource(4))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, flows.WIB)
	var bills []string
	for i, status := range []flows.Status{flows.StatusFailed, flows.StatusSuccess} {
		ref, err := flows.NewRefID(day.Add(-5*time.Minute+time.Duration(i)*time.Second), rnd)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(day.Add(5*time.Minute + time.Duration(i)*time.Second))
		o := newOrder(ref, 1, "tok-"+ref)
		o.Kind, o.CreatedAt = flows.Postpaid, clk.Now()
		if _, _, err := db.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		if _, err := db.UpdateOrder(ctx, ref, func(o *flows.Order) ([]flows.Notification, error) {
			o.Status = status
			return nil, nil
		}); err != nil {
			t.Fatal(err)
		}
		bills = append(bills, ref)
	}
	failedBill := bills[0]

	count := func(from, to time.Time) map[string]int {
		seen := map[string]int{}
		if err := db.EachOrderCreated(ctx, from, to, func(o *flows.Order) error {
			seen[o.RefID]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return seen
	}
	yesterday, today := count(day.AddDate(0, 0, -1), day), count(day, day.AddDate(0, 0, 1))
	for _, ref := range bills {
		if yesterday[ref] != 0 || today[ref] != 1 {
			t.Errorf("bill %s: %d time(s) in yesterday's /stats, %d in today's; want 0 and 1", ref, yesterday[ref], today[ref])
		}
	}
	got, total, err := db.OrdersCreated(ctx, day, day.AddDate(0, 0, 1), "", 50)
	if err != nil || total != 2 || !slices.Equal(refs(got), []string{bills[1], bills[0]}) {
		t.Errorf("/orders today: %d %v %v, want both bills, newest first", total, refs(got), err)
	}
	got, total, err = db.OrdersCreated(ctx, day.AddDate(0, 0, -1), day, "", 50)
	if err != nil || total != 0 {
		t.Errorf("/orders today, yesterday: %d %v %v, want none", total, refs(got), err)
	}
	// /orders failed looks back 7 days from now to the end of today.
	got, total, err = db.OrdersCreated(ctx, clk.Now().Add(-7*24*time.Hour), day.AddDate(0, 0, 1), flows.StatusFailed, 50)
	if err != nil || total != 1 || !slices.Equal(refs(got), []string{failedBill}) {
		t.Errorf("/orders failed: %d %v %v, want the failed bill once", total, refs(got), err)
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
