package calendar

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fake Google: the OAuth token endpoint (JWT bearer grant for a service
// account, refresh_token grant for a saved token) and the three Calendar v3
// calls the source makes, in Google's wire format.

const (
	fakeSAEmail      = "kiosk-test@kiosk-test.iam.gserviceaccount.com"
	fakeAccessToken  = "fake-access-token-0000"
	fakeRefreshToken = "fake-refresh-token-0000"
	fakeClientID     = "000000000000-fakefakefakefakefakefakefakefake.apps.googleusercontent.com"
	fakeClientSecret = "FAKE-client-secret-0000"
	fakeCalendarID   = "family0000@group.calendar.google.com"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

type fakeGoogle struct {
	srv *httptest.Server

	mu            sync.Mutex
	tokenRequests []url.Values
	eventQueries  []url.Values
	listCalls     int
	colorCalls    int

	// Overrides; nil means the fixture answers.
	token        http.HandlerFunc
	calendarList http.HandlerFunc
	events       http.HandlerFunc
	pages        map[string][]byte // pageToken → body
}

func newFakeGoogle(t testing.TB) *fakeGoogle {
	t.Helper()
	f := &fakeGoogle{pages: map[string][]byte{
		"":       readTestdata(t, "events_page1.json"),
		"page-2": readTestdata(t, "events_page2.json"),
		"page-3": readTestdata(t, "events_page3.json"),
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", f.handleToken)
	mux.HandleFunc("GET /calendar/v3/users/me/calendarList/{id}", f.authorized(f.handleCalendarList))
	mux.HandleFunc("GET /calendar/v3/calendars/{id}/events", f.authorized(f.handleEvents))
	mux.HandleFunc("GET /calendar/v3/colors", f.authorized(f.handleColors))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveFile writes a testdata file with a status, as Google does.
func serveFile(name string, status int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(status)
		w.Write(b)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeGoogle) authorized(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeAccessToken {
			serveFile("error_401.json", http.StatusUnauthorized, "WWW-Authenticate", `Bearer realm="https://accounts.google.com/"`)(w, r)
			return
		}
		if id := r.PathValue("id"); id != "" && id != fakeCalendarID {
			serveFile("error_404.json", http.StatusNotFound)(w, r)
			return
		}
		h(w, r)
	}
}

func (f *fakeGoogle) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, 400, map[string]string{"error": "invalid_request"})
		return
	}
	f.mu.Lock()
	f.tokenRequests = append(f.tokenRequests, r.PostForm)
	f.mu.Unlock()
	if f.token != nil {
		f.token(w, r)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		if problem := f.checkAssertion(r.PostForm.Get("assertion")); problem != "" {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": problem})
			return
		}
	case "refresh_token":
		if r.PostForm.Get("client_id") != fakeClientID || r.PostForm.Get("client_secret") != fakeClientSecret {
			writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Unauthorized"})
			return
		}
		if !strings.HasPrefix(r.PostForm.Get("refresh_token"), fakeRefreshToken) {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
			return
		}
	case "urn:ietf:params:oauth:grant-type:device_code": // approved at once
		writeJSON(w, 200, map[string]any{"access_token": fakeAccessToken, "expires_in": 3599, "token_type": "Bearer",
			"scope": ReadonlyScope, "refresh_token": fakeRefreshToken})
		return
	default:
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	writeJSON(w, 200, map[string]any{"access_token": fakeAccessToken, "expires_in": 3599, "token_type": "Bearer", "scope": ReadonlyScope})
}

// checkAssertion verifies the service account's JWT as Google would: RS256
// with the key's public half, issuer, audience and scope.
func (f *fakeGoogle) checkAssertion(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "not a JWT"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "bad signature encoding"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return "Invalid JWT Signature."
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "bad payload encoding"
	}
	var c struct {
		Iss   string `json:"iss"`
		Aud   string `json:"aud"`
		Scope string `json:"scope"`
		Exp   int64  `json:"exp"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return "bad payload"
	}
	switch {
	case c.Iss != fakeSAEmail:
		return "wrong issuer " + c.Iss
	case c.Aud != f.srv.URL+"/token":
		return "wrong audience " + c.Aud
	case c.Scope != ReadonlyScope:
		return "wrong scope " + c.Scope
	case c.Exp < time.Now().Unix():
		return "expired"
	}
	return ""
}

func (f *fakeGoogle) handleCalendarList(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.listCalls++
	f.mu.Unlock()
	if f.calendarList != nil {
		f.calendarList(w, r)
		return
	}
	serveFile("calendarlist_entry.json", 200)(w, r)
}

func (f *fakeGoogle) handleEvents(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.eventQueries = append(f.eventQueries, r.URL.Query())
	f.mu.Unlock()
	if f.events != nil {
		f.events(w, r)
		return
	}
	body, ok := f.pages[r.URL.Query().Get("pageToken")]
	if !ok {
		writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "message": "Invalid page token value."}})
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(body)
}

func (f *fakeGoogle) handleColors(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.colorCalls++
	f.mu.Unlock()
	serveFile("colors.json", 200)(w, r)
}

// serviceAccountFile writes a service-account key whose token_uri is the
// fake's token endpoint.
func (f *fakeGoogle) serviceAccountFile(t testing.TB) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(testKey())
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]string{
		"type":                        "service_account",
		"project_id":                  "kiosk-test",
		"private_key_id":              "0000000000000000000000000000000000000000",
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                fakeSAEmail,
		"client_id":                   "000000000000000000000",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   f.srv.URL + "/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
	}
	return writeTempJSON(t, "service-account.json", key)
}

// tokenFile writes a token as `kiosk auth google` saves it.
func (f *fakeGoogle) tokenFile(t testing.TB, refresh string) string {
	t.Helper()
	return writeTempJSON(t, "google-token.json", authorizedUser{
		Type: "authorized_user", ClientID: fakeClientID, ClientSecret: fakeClientSecret,
		RefreshToken: refresh, TokenURI: f.srv.URL + "/token",
	})
}

func writeTempJSON(t testing.TB, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (f *fakeGoogle) queries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.eventQueries...)
}

func (f *fakeGoogle) tokens() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.tokenRequests...)
}
