package weather

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"kiosk/kiosk/source"
)

// The weather's failures carry their category, so /status words the right
// advice and push alerts at once on a refused key.
func TestFetchErrorCategory(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   source.Category
	}{
		{"server error", http.StatusBadGateway, "<html>Bad gateway</html>", source.Server},
		{"unauthorized", http.StatusUnauthorized, `{"error":true,"reason":"no"}`, source.Auth},
		{"not found", http.StatusNotFound, "", source.NotFound},
		{"rate limited", http.StatusTooManyRequests, "", source.RateLimited},
		{"html page", http.StatusOK, "<html>captive portal</html>", source.BadContent},
		{"key not registered", http.StatusOK, portalBody("30"), source.Auth},
		{"daily limit", http.StatusOK, portalBody("22"), source.RateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			g := getter{client: srv.Client(), now: time.Now}
			u, _ := url.Parse(srv.URL + "/v1/forecast")
			_, err := g.get(context.Background(), "weather", u)
			if err == nil {
				t.Fatal("no error")
			}
			if got := source.Classify(err); got != tt.want {
				t.Errorf("category of %q = %s, want %s", err, got, tt.want)
			}
		})
	}
}

func portalBody(code string) string {
	return `<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>` +
		`<returnAuthMsg>SOME_ERROR</returnAuthMsg><returnReasonCode>` + code +
		`</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>`
}

func TestAirKoreaResultCategory(t *testing.T) {
	tests := []struct {
		code string
		want source.Category
	}{
		{"30", source.Auth},
		{"22", source.RateLimited},
		{"99", source.Server},
	}
	for _, tt := range tests {
		body := `{"response":{"header":{"resultCode":"` + tt.code + `","resultMsg":"ERR"}}}`
		_, err := parseAirKorea([]byte(body), "마포구")
		if got := source.Classify(source.ContentError(err)); got != tt.want {
			t.Errorf("resultCode %s: category %s, want %s (%v)", tt.code, got, tt.want, err)
		}
	}
	_, err := parseAirKorea([]byte(`{"response":`), "마포구")
	if got := source.Classify(source.ContentError(err)); got != source.BadContent {
		t.Errorf("cut JSON: category %s, want bad_content", got)
	}
}
