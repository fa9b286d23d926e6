package weather

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kiosk/kiosk/source"
)

// AirKoreaPath is the real-time measurements by station service.
const AirKoreaPath = "/B552584/ArpltnInforInqireSvc/getMsrstnAcctoRltmMesureDnsty"

// kst is AirKorea's clock, whatever the kiosk's zone.
var kst = time.FixedZone("KST", 9*60*60)

// airKoreaQuery is the raw query of the request. The portal hands out the
// key in two forms, URL-encoded ("…%2B…%3D%3D") and plain ("…+…=="); an
// encoded one goes in as it is, a plain one is escaped.
func airKoreaQuery(key, station string) string {
	q := url.Values{}
	q.Set("returnType", "json")
	q.Set("numOfRows", "1")
	q.Set("pageNo", "1")
	q.Set("stationName", station)
	q.Set("dataTerm", "DAILY")
	q.Set("ver", "1.0") // 1.0 and later carry pm25Value
	k := key
	if _, err := url.QueryUnescape(key); err != nil || !strings.Contains(key, "%") {
		k = url.QueryEscape(key)
	}
	return "serviceKey=" + k + "&" + q.Encode()
}

// akValue is a measurement: a number as a string, "-" or "" while the
// station is down, or null.
type akItem struct {
	DataTime    string  `json:"dataTime"`
	StationName string  `json:"stationName"`
	PM10        *string `json:"pm10Value"`
	PM25        *string `json:"pm25Value"`
}

// parseAirKorea reads the JSON answer:
// {"response":{"header":{"resultCode":"00","resultMsg":"NORMAL_CODE"},
// "body":{"items":[{"dataTime":"2026-12-04 14:00","pm10Value":"30","pm25Value":"-",…}],…}}}
func parseAirKorea(body []byte, station string) (Air, error) {
	var r struct {
		Response struct {
			Header struct {
				ResultCode string `json:"resultCode"`
				ResultMsg  string `json:"resultMsg"`
			} `json:"header"`
			Body struct {
				Items json.RawMessage `json:"items"`
			} `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return Air{}, fmt.Errorf("decode: %w", err)
	}
	h := r.Response.Header
	if h.ResultCode != "00" {
		if h.ResultCode == "" {
			return Air{}, fmt.Errorf("the answer has no result code")
		}
		return Air{}, source.WithCategory(resultCategory(h.ResultCode),
			fmt.Errorf("AirKorea answered %s %s%s", h.ResultCode, h.ResultMsg, resultHints[h.ResultCode]))
	}
	var items []akItem
	raw := bytes.TrimSpace(r.Response.Body.Items)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
	case raw[0] == '{': // {"item":[…]} in older answers
		var wrapped struct {
			Item []akItem `json:"item"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return Air{}, fmt.Errorf("decode items: %w", err)
		}
		items = wrapped.Item
	default:
		if err := json.Unmarshal(raw, &items); err != nil {
			return Air{}, fmt.Errorf("decode items: %w", err)
		}
	}
	if len(items) == 0 {
		return Air{}, fmt.Errorf("no measurements for station %q (check air.station)", station)
	}
	it := items[0]
	t, err := akTime(it.DataTime)
	if err != nil {
		return Air{}, err
	}
	name := it.StationName
	if name == "" {
		name = station
	}
	return Air{Time: t, PM10: akNumber(it.PM10), PM25: akNumber(it.PM25), Station: name}, nil
}

// resultCategory is the kind of failure an AirKorea result code means: the
// key refused, the daily limit used up, or else trouble on their side.
func resultCategory(code string) source.Category {
	switch code {
	case "20", "30", "31", "32":
		return source.Auth
	case "22":
		return source.RateLimited
	}
	return source.Server
}

// resultHints say what AirKorea's result codes mean.
var resultHints = map[string]string{
	"03": " (no data for this station: check air.station)",
	"10": " (a bad request parameter: check air.station)",
	"22": " (the daily request limit is used up)",
	"30": " (the service key is not registered)",
	"31": " (the service key has expired)",
}

// akTime parses "2006-01-02 15:04" in KST; the hour after 23:00 is
// written "24:00" of the same day.
func akTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	late := strings.HasSuffix(s, " 24:00")
	if late {
		s = strings.TrimSuffix(s, "24:00") + "00:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, kst)
	if err != nil {
		return time.Time{}, fmt.Errorf("measurement time %q: %w", s, err)
	}
	if late {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// akNumber reads a measurement; "-", "", "통신장애" and null are none.
func akNumber(s *string) *float64 {
	if s == nil {
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(*s), 64)
	if err != nil {
		return nil
	}
	return nonNegative(&v)
}
