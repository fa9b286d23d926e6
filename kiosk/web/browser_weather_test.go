package web

import (
	"sync/atomic"
	"testing"
	"time"

	"kiosk/kiosk/config"
	"kiosk/kiosk/weather"
)

// liveWeather is a weather source whose snapshot the test swaps.
type liveWeather struct {
	p atomic.Pointer[weather.Snapshot]
}

func (w *liveWeather) Snapshot() *weather.Snapshot { return w.p.Load() }
func (w *liveWeather) Units() string               { return "metric" }

// TestBrowserWeather: the weather beside the clock and in the day headers,
// with the fine dust; a new forecast reaches the header with the next
// board refresh, without a reload; and off, the slot takes no space.
func TestBrowserWeather(t *testing.T) {
	browser := startBrowser(t)
	morning := time.Date(2026, 11, 24, 9, 41, 0, 0, seoul)
	wx := &liveWeather{}
	wx.p.Store(wxSnapshotAt(morning))
	s := newSite(t, morning, demoSnapshot(t, morning), func(c *config.Config) { c.Dashboard.ReloadSeconds = 10 },
		func(o *Options) { o.Weather = wx })
	tb := newTab(t, browser, 1920, 1080)
	tb.navigate(t, s.url("/"))
	const header = `document.querySelector("header .weather-now").textContent.replace(/\s+/g, " ").trim()`
	tb.until(t, "weather beside the clock", header+` === "3° 체감 -1°15시부터 비08:05 기준PM2.5 42 나쁨PM10 62 보통"`, header)
	var days []string
	tb.mustEval(t, `[...document.querySelectorAll(".near > .day > h2 .wx-day")].map((e) => e.textContent + " " + e.querySelector("img").alt)`, &days)
	if len(days) != 2 || days[0] != "9°-3°70% 약한 비" {
		t.Errorf("near days' weather %q", days)
	}
	var icons []bool
	tb.mustEval(t, `Promise.all([...document.querySelectorAll(".wx-icon")].map((i) => i.decode().then(() => i.naturalWidth > 0, () => false)))`, &icons)
	for i, ok := range icons {
		if !ok {
			t.Errorf("icon %d does not load", i)
		}
	}
	tb.mustEval(t, `window.__sameDocument = true`, new(bool))
	next := wxSnapshotAt(morning)
	next.Forecast.Current.Temp = fp(12.4)
	wx.p.Store(next)
	tb.until(t, "the new temperature after a board refresh", header+`.startsWith("12° ")`, header)
	var same bool
	tb.mustEval(t, `window.__sameDocument === true`, &same)
	if !same {
		t.Error("the page reloaded to show the new weather")
	}
	tb.checkClean(t, nil)

	off := newSite(t, morning, demoSnapshot(t, morning), nil)
	tb.navigate(t, off.url("/"))
	var width float64
	tb.mustEval(t, `document.querySelector("header .weather-now").getBoundingClientRect().width`, &width)
	if width != 0 {
		t.Errorf("weather off takes %v px", width)
	}
}
