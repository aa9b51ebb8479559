package flows

import "time"

// The WIB clock: every time a person reads — on a receipt, in an admin's
// list, in a date an admin types — is Asia/Jakarta time, whatever zone the
// server runs in.

// WIB is Asia/Jakarta time. Indonesia has kept UTC+7 without daylight saving
// since 1964, so a fixed zone is exact and needs no tz database.
var WIB = time.FixedZone("WIB", 7*60*60)

// startOfDay is midnight WIB of t's day in WIB.
func startOfDay(t time.Time) time.Time {
	t = t.In(WIB)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, WIB)
}

// wibTime is a full time for admins: "23/11/2026 09:00:00 WIB".
func wibTime(t time.Time) string { return t.In(WIB).Format("02/01/2006 15:04:05") + " WIB" }

// shortTime is a time in a list or on a receipt: "23/11 09:00".
func shortTime(t time.Time) string { return t.In(WIB).Format("02/01 15:04") }

// clockTime is the hour and minute alone: "09:00".
func clockTime(t time.Time) string { return t.In(WIB).Format("15:04") }

// day is a date as admins type it: "2026-11-23".
func day(t time.Time) string { return t.In(WIB).Format("2006-01-02") }
