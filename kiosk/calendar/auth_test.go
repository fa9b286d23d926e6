package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeDevice is Google's OAuth device flow: the device code endpoint and
// the token endpoint, which answers each poll from a script.
type fakeDevice struct {
	srv *httptest.Server

	mu       sync.Mutex
	device   []url.Values
	polls    []url.Values
	script   []func(w http.ResponseWriter) // one per poll; the last repeats
	deviceFn http.HandlerFunc              // overrides the device code endpoint
}

func newFakeDevice(t *testing.T, script ...func(w http.ResponseWriter)) *fakeDevice {
	t.Helper()
	f := &fakeDevice{script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /device/code", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.device = append(f.device, r.PostForm)
		f.mu.Unlock()
		if f.deviceFn != nil {
			f.deviceFn(w, r)
			return
		}
		// Google spells it verification_url.
		writeJSON(w, 200, map[string]any{
			"device_code":      "FAKE-device-code-0000",
			"user_code":        "FAKE-CODE",
			"verification_url": "https://www.google.com/device",
			"expires_in":       1800,
			"interval":         1,
		})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		n := len(f.polls)
		f.polls = append(f.polls, r.PostForm)
		f.mu.Unlock()
		f.script[min(n, len(f.script)-1)](w)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func pending(w http.ResponseWriter) {
	writeJSON(w, 428, map[string]string{"error": "authorization_pending", "error_description": "Precondition Required"})
}

func oauthError(status int, code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { writeJSON(w, status, map[string]string{"error": code}) }
}

func granted(refresh string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		tok := map[string]any{"access_token": fakeAccessToken, "expires_in": 3599, "scope": ReadonlyScope, "token_type": "Bearer"}
		if refresh != "" {
			tok["refresh_token"] = refresh
		}
		writeJSON(w, 200, tok)
	}
}

func (f *fakeDevice) options(t *testing.T, tokenPath string) DeviceOptions {
	return DeviceOptions{
		ClientFile:    filepath.Join("testdata", "client_secret_tv.json"),
		TokenPath:     tokenPath,
		DeviceAuthURL: f.srv.URL + "/device/code",
		TokenURL:      f.srv.URL + "/token",
		HTTPClient:    &http.Client{Timeout: 5 * time.Second},
	}
}

func TestAuthorizeDevice(t *testing.T) {
	t.Parallel()
	f := newFakeDevice(t, pending, granted(fakeRefreshToken))
	dir := filepath.Join(t.TempDir(), "state") // not there yet
	path := TokenPath(dir)
	var out bytes.Buffer

	if err := AuthorizeDevice(context.Background(), f.options(t, path), &out); err != nil {
		t.Fatalf("AuthorizeDevice: %v", err)
	}

	// The user sees where to go and the code, and nothing secret.
	for _, want := range []string{"https://www.google.com/device", "FAKE-CODE", "Signed in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, secret := range []string{fakeRefreshToken, fakeAccessToken, fakeClientSecret, "FAKE-device-code-0000"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("output shows %q:\n%s", secret, out.String())
		}
	}

	// The requests Google expects.
	if len(f.device) != 1 || f.device[0].Get("client_id") != fakeClientID || f.device[0].Get("scope") != ReadonlyScope {
		t.Errorf("device code request: got %v, want client_id %s and scope %s", f.device, fakeClientID, ReadonlyScope)
	}
	if len(f.polls) != 2 {
		t.Fatalf("token polls: got %d, want 2 (pending, then granted)", len(f.polls))
	}
	for k, want := range map[string]string{
		"grant_type":    "urn:ietf:params:oauth:grant-type:device_code",
		"device_code":   "FAKE-device-code-0000",
		"client_id":     fakeClientID,
		"client_secret": fakeClientSecret,
	} {
		if got := f.polls[1].Get(k); got != want {
			t.Errorf("token poll %s: got %q, want %q", k, got, want)
		}
	}

	// The saved file: mode 0600, authorized_user, nothing else left behind.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("token file mode: got %v, want 0600", got)
	}
	var got map[string]string
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("token file: %v", err)
	}
	want := map[string]string{
		"type":          "authorized_user",
		"client_id":     fakeClientID,
		"client_secret": fakeClientSecret,
		"refresh_token": fakeRefreshToken,
		"token_uri":     f.srv.URL + "/token", // only because the test overrides Google's
	}
	if len(got) != len(want) {
		t.Errorf("token file keys: got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("token file %s: got %q, want %q", k, got[k], v)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d files, want only the token", len(entries))
	}

	// Signing in again replaces the token and fixes a loose mode.
	os.Chmod(path, 0o644)
	f2 := newFakeDevice(t, granted(fakeRefreshToken+"-2"))
	if err := AuthorizeDevice(context.Background(), f2.options(t, path), &bytes.Buffer{}); err != nil {
		t.Fatalf("second AuthorizeDevice: %v", err)
	}
	fi, _ = os.Stat(path)
	b, _ = os.ReadFile(path)
	if fi.Mode().Perm() != 0o600 || !strings.Contains(string(b), fakeRefreshToken+"-2") {
		t.Errorf("after signing in again: mode %v, content %s", fi.Mode().Perm(), b)
	}
}

func TestAuthorizeDeviceTokenWorks(t *testing.T) {
	t.Parallel()
	// Sign in with the device flow, then read the calendar with the saved
	// token: the source refreshes it at the same token endpoint.
	g := newFakeGoogle(t)
	d := newFakeDevice(t, pending)
	path := TokenPath(t.TempDir())
	opts := d.options(t, path)
	opts.TokenURL = g.srv.URL + "/token" // grants the device code at once
	if err := AuthorizeDevice(context.Background(), opts, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}

	src := newTestGoogle(t, g, func(o *GoogleOptions) { o.CredentialsFile, o.TokenFile = "", path })
	from, to := testWindow(t)
	events, err := src.Events(context.Background(), from, to)
	if err != nil {
		t.Fatalf("Events with the saved token: %v", err)
	}
	if len(events) != 7 {
		t.Errorf("got %d events, want 7", len(events))
	}
	reqs := g.tokens()
	if len(reqs) != 2 || reqs[1].Get("grant_type") != "refresh_token" || reqs[1].Get("refresh_token") != fakeRefreshToken {
		t.Errorf("token requests: got %v, want the device grant then a refresh with the saved token", reqs)
	}
}

func TestAuthorizeDeviceErrors(t *testing.T) {
	t.Parallel()
	serviceAccount := writeTempJSON(t, "sa.json", map[string]string{"type": "service_account", "client_email": fakeSAEmail})
	webClient := writeTempJSON(t, "web.json", map[string]any{"web": map[string]string{"client_id": fakeClientID}})
	tests := []struct {
		name   string
		client string // client file; empty means the TV client
		device http.HandlerFunc
		script []func(w http.ResponseWriter)
		want   string
	}{
		{name: "user denies", script: []func(http.ResponseWriter){pending, oauthError(403, "access_denied")},
			want: "google auth: wait for approval: the request was denied on the approval page"},
		{name: "code expires", script: []func(http.ResponseWriter){oauthError(400, "expired_token")},
			want: "the code expired before it was approved; run the command again"},
		{name: "code times out unapproved", device: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"device_code": "FAKE-device-code-0000", "user_code": "FAKE-CODE",
				"verification_url": "https://www.google.com/device", "expires_in": 1, "interval": 5})
		}, want: "google auth: the code expired before it was approved; run the command again"},
		{name: "no refresh token", script: []func(http.ResponseWriter){granted("")},
			want: "Google returned no refresh token"},
		{name: "wrong client type", device: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Invalid client type."})
		}, want: `google auth: ask for a device code: Google refused the OAuth client (invalid_client): it must be of type "TVs and Limited Input devices"`},
		{name: "scope refused", device: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, map[string]string{"error": "invalid_scope"})
		}, want: "invalid_scope"},
		{name: "service-account key as client", client: serviceAccount,
			want: "is a service-account key; use it as credentials_file instead"},
		{name: "client without secret", client: webClient,
			want: "is not an OAuth client file"},
		{name: "missing client file", client: "/nonexistent/client.json",
			want: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := tt.script
			if script == nil {
				script = []func(http.ResponseWriter){granted(fakeRefreshToken)}
			}
			f := newFakeDevice(t, script...)
			f.deviceFn = tt.device
			path := TokenPath(t.TempDir())
			opts := f.options(t, path)
			if tt.client != "" {
				opts.ClientFile = tt.client
			}
			var out bytes.Buffer
			err := AuthorizeDevice(context.Background(), opts, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			for _, secret := range []string{fakeClientSecret, fakeAccessToken, "FAKE-device-code-0000"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks %q: %v", secret, err)
				}
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("a token file was written after a failure (stat: %v)", err)
			}
		})
	}
}

func TestAuthorizeDeviceCanceled(t *testing.T) {
	t.Parallel()
	f := newFakeDevice(t, pending)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := AuthorizeDevice(ctx, f.options(t, TokenPath(t.TempDir())), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "google auth: wait for approval") {
		t.Errorf("got %v, want the wait to end with the context", err)
	}
}

func TestAuthorizeDeviceOwner(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to hand the file to another owner")
	}
	// The service's state directory belongs to its DynamicUser; root runs
	// `kiosk auth google`.
	dir := t.TempDir()
	if err := os.Chown(dir, 61234, 61234); err != nil {
		t.Fatal(err)
	}
	f := newFakeDevice(t, granted(fakeRefreshToken))
	path := TokenPath(dir)
	if err := AuthorizeDevice(context.Background(), f.options(t, path), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 61234 || st.Gid != 61234 || fi.Mode().Perm() != 0o600 {
		t.Errorf("token file: uid %d gid %d mode %v, want 61234 61234 0600", st.Uid, st.Gid, fi.Mode().Perm())
	}
}
