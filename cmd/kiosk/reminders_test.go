package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/config"
	"kiosk/kiosk/dashboard"
	"kiosk/kiosk/photos"
	"kiosk/kiosk/remind"
	"kiosk/kiosk/source"
	"kiosk/kiosk/srt"
)

// TestTrainPopupsInTheConfiguredZone: a kiosk set to Europe/Berlin shows a
// train's departure and payment deadline in Berlin time, as the board does,
// not in Korea time.
func TestTrainPopupsInTheConfiguredZone(t *testing.T) {
	for _, locale := range []string{"ko", "en"} {
		t.Run(locale, func(t *testing.T) {
			cfg, err := config.Parse([]byte("timezone: Europe/Berlin\nlocale: "+locale+"\n"), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			dep := time.Date(2026, 11, 22, 10, 0, 0, 0, cfg.Location)     // 18:00 in Korea
			deadline := time.Date(2026, 11, 22, 9, 0, 0, 0, cfg.Location) // 17:00 in Korea
			now := deadline.Add(-30 * time.Minute)
			store, err := cache.Open("", func() time.Time { return now }, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			board := dashboard.New(dashboard.Options{
				Store: store, Log: slog.New(slog.DiscardHandler), Loc: cfg.Location, DaysAhead: 7,
				Trains: &dashboard.Trains{Name: "SRT", Kind: "srt", TTL: time.Hour,
					Fetch: func(context.Context) ([]srt.Reservation, error) {
						return []srt.Reservation{{PNR: "FAKE-PNR-1", Train: "SRT 301", DepartureStation: "수서",
							ArrivalStation: "부산", Departure: dep, Arrival: dep.Add(2 * time.Hour), PaymentDeadline: &deadline}}, nil
					}},
			})
			if err := board.RefreshTrains(context.Background()); err != nil {
				t.Fatal(err)
			}
			list := reminders(cfg, board, nil)
			for _, at := range []time.Time{now, dep.Add(-time.Hour)} {
				due, err := list(remind.Window{From: at, To: at.Add(time.Minute), Now: at})
				if err != nil || len(due) != 1 {
					t.Fatalf("at %s: %d reminders (%v), want 1", at, len(due), err)
				}
				msg := due[0].Message
				if !strings.HasPrefix(msg, "11-22 10:00\n") || strings.Contains(msg, "18:00") || strings.Contains(msg, "17:00") {
					t.Errorf("at %s: message %q, want Berlin times (departure 10:00, deadline 09:00)", at.Format("15:04"), msg)
				}
				if at.Equal(now) && !strings.Contains(msg, "09:00") {
					t.Errorf("payment message %q lacks the deadline 09:00", msg)
				}
			}
		})
	}
}

// TestPhotoStatusCategory: a photo folder that is gone is reported as
// not_found, so /status asks to check the path rather than the network.
func TestPhotoStatusCategory(t *testing.T) {
	dir := t.TempDir()
	lib, err := photos.New(photos.Options{Dir: filepath.Join(dir, "gone"), CacheDir: filepath.Join(dir, "cache"), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.Rescan(context.Background()); err == nil {
		t.Fatal("a missing folder scanned")
	}
	st := photoStatus(lib)[0]
	if st.OK || st.Category != source.NotFound {
		t.Errorf("photo status %+v, want not ok, not_found", st)
	}
}
