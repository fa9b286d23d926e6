package display

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"kiosk/kiosk/config"
)

func TestAt(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	night := &config.Display{Off: "23:00", On: "06:30"}
	tests := []struct {
		name     string
		d        *config.Display
		now      time.Time
		loc      *time.Location
		wantOn   bool
		wantNext string
	}{
		{"unscheduled", nil, time.Date(2026, 11, 22, 3, 0, 0, 0, seoul), seoul, true, ""},
		{"evening", night, time.Date(2026, 11, 22, 22, 59, 0, 0, seoul), seoul, true, "2026-11-22T23:00:00+09:00"},
		{"at off", night, time.Date(2026, 11, 22, 23, 0, 0, 0, seoul), seoul, false, "2026-11-23T06:30:00+09:00"},
		{"after midnight", night, time.Date(2026, 11, 23, 2, 0, 0, 0, seoul), seoul, false, "2026-11-23T06:30:00+09:00"},
		{"morning", night, time.Date(2026, 11, 23, 6, 30, 0, 0, seoul), seoul, true, "2026-11-23T23:00:00+09:00"},
		{"zone from config, not UTC", night, time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC), seoul, false, "2026-11-23T06:30:00+09:00"},
		// Berlin springs forward on 2026-03-29 at 02:00; on at 06:30 CEST.
		{"DST night", night, time.Date(2026, 3, 29, 1, 0, 0, 0, berlin), berlin, false, "2026-03-29T06:30:00+02:00"},
		{"off inside the DST gap", &config.Display{Off: "02:30", On: "06:00"}, time.Date(2026, 3, 29, 1, 0, 0, 0, berlin), berlin, true, "2026-03-29T03:30:00+02:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := At(tc.d, tc.now, tc.loc)
			next := ""
			if st.NextChange != nil {
				next = *st.NextChange
			}
			if st.On != tc.wantOn || next != tc.wantNext {
				t.Errorf("At = on %v next %q, want %v %q", st.On, next, tc.wantOn, tc.wantNext)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	have := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, h := range names {
				if h == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		getenv  func(string) string
		look    func(string) (string, error)
		want    string
		wantErr string
	}{
		{"labwc", env("WAYLAND_DISPLAY", "wayland-0"), have("wlopm", "xset"), "wlopm", ""},
		{"wayland without wlopm", env("WAYLAND_DISPLAY", "wayland-0"), have("xset"), "", "wlopm"},
		{"x11", env("DISPLAY", ":0"), have("xset"), "xset", ""},
		{"no session", env(), have("wlopm", "xset"), "", "desktop session"},
	}
	for _, tc := range tests {
		b, err := Detect(tc.getenv, tc.look)
		if b.Name != tc.want || (tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr))) {
			t.Errorf("%s: backend %q err %v", tc.name, b.Name, err)
		}
	}
}

func TestHelperAppliesChangesOnce(t *testing.T) {
	state := State{Scheduled: true, On: true}
	down := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(state)
	}))
	defer srv.Close()
	var ran []string
	h := &Helper{URL: srv.URL, Client: srv.Client(), Log: slog.New(slog.DiscardHandler),
		Backend: Backend{Name: "fake", On: []string{"on"}, Off: []string{"off"}},
		Run:     func(_ context.Context, argv []string) error { ran = append(ran, argv[0]); return nil }}
	ctx := context.Background()
	steps := []struct {
		on   bool
		down bool
	}{{true, false}, {true, false}, {false, false}, {false, true}, {false, false}, {true, false}}
	for _, s := range steps {
		state.On, down = s.on, s.down
		h.Step(ctx)
	}
	if got := strings.Join(ran, ","); got != "on,off,on" {
		t.Errorf("commands run: %s, want on,off,on (first state applied, then changes only)", got)
	}
}
