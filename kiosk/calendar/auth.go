package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/oauth2"
)

// Google's OAuth endpoints for the device flow.
const (
	googleDeviceAuthURL = "https://oauth2.googleapis.com/device/code"
	googleTokenURL      = "https://oauth2.googleapis.com/token"
)

// DeviceOptions configures AuthorizeDevice.
type DeviceOptions struct {
	// ClientFile is the OAuth client of type "TVs and Limited Input
	// devices", as downloaded from the Google Cloud console.
	ClientFile string
	// TokenPath is where the token is saved (TokenPath(data_dir)).
	TokenPath string

	// Overrides for tests; empty means Google's endpoints (the token
	// endpoint is the client file's token_uri when it has one).
	DeviceAuthURL string
	TokenURL      string
	HTTPClient    *http.Client
}

// authorizedUser is the token file: the standard "authorized_user"
// credentials JSON, which the Google credentials loader refreshes from.
// TokenURI is only written when it is not Google's own endpoint.
type authorizedUser struct {
	Type         string `json:"type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
	TokenURI     string `json:"token_uri,omitempty"`
}

// AuthorizeDevice runs the OAuth device flow for limited-input devices: it
// prints a URL and a code to out, waits until the user approves on another
// device (or the code expires, or ctx ends), and saves a refreshable token
// at opts.TokenPath with mode 0600. Nothing secret is printed.
func AuthorizeDevice(ctx context.Context, opts DeviceOptions, out io.Writer) error {
	if opts.TokenPath == "" {
		return errors.New("google auth: no token path")
	}
	client, err := readClient(opts.ClientFile)
	if err != nil {
		return err
	}
	cfg := &oauth2.Config{
		ClientID:     client.ClientID,
		ClientSecret: client.ClientSecret,
		Scopes:       []string{ReadonlyScope},
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: googleDeviceAuthURL,
			TokenURL:      googleTokenURL,
			AuthStyle:     oauth2.AuthStyleInParams,
		},
	}
	if client.TokenURI != "" {
		cfg.Endpoint.TokenURL = client.TokenURI
	}
	if opts.DeviceAuthURL != "" {
		cfg.Endpoint.DeviceAuthURL = opts.DeviceAuthURL
	}
	if opts.TokenURL != "" {
		cfg.Endpoint.TokenURL = opts.TokenURL
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)

	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return fmt.Errorf("google auth: ask for a device code: %s", oauthProblem(err))
	}
	fmt.Fprintf(out, "On a phone or computer, open\n\n    %s\n\nand enter the code\n\n    %s\n\n", da.VerificationURI, da.UserCode)
	if !da.Expiry.IsZero() {
		fmt.Fprintf(out, "Waiting for approval (the code expires at %s)…\n", da.Expiry.Local().Format("15:04"))
	} else {
		fmt.Fprintln(out, "Waiting for approval…")
	}
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return errors.New("google auth: the code expired before it was approved; run the command again")
		}
		return fmt.Errorf("google auth: wait for approval: %s", oauthProblem(err))
	}
	if tok.RefreshToken == "" {
		return errors.New("google auth: Google returned no refresh token; remove the kiosk's access at myaccount.google.com/permissions and try again")
	}
	saved := authorizedUser{
		Type:         "authorized_user",
		ClientID:     client.ClientID,
		ClientSecret: client.ClientSecret,
		RefreshToken: tok.RefreshToken,
	}
	if cfg.Endpoint.TokenURL != googleTokenURL {
		saved.TokenURI = cfg.Endpoint.TokenURL
	}
	b, err := json.MarshalIndent(saved, "", "  ")
	if err != nil {
		return fmt.Errorf("google auth: %w", err)
	}
	if err := writeFileAtomic(opts.TokenPath, append(b, '\n')); err != nil {
		return fmt.Errorf("google auth: save token: %w", err)
	}
	fmt.Fprintf(out, "Signed in. Token saved to %s\n", opts.TokenPath)
	return nil
}

// oauthClient is one client from a client_secret*.json file.
type oauthClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	TokenURI     string `json:"token_uri"`
}

// readClient reads an OAuth client file as the Cloud console downloads it:
// {"installed": {...}} (TVs and Limited Input, Desktop) or {"web": {...}}.
func readClient(path string) (oauthClient, error) {
	if path == "" {
		return oauthClient{}, errors.New("google auth: no OAuth client file; create a \"TVs and Limited Input devices\" client in the Google Cloud console and pass its JSON")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return oauthClient{}, fmt.Errorf("google auth: %w", err)
	}
	var f struct {
		Type      string       `json:"type"`
		Installed *oauthClient `json:"installed"`
		Web       *oauthClient `json:"web"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return oauthClient{}, fmt.Errorf("google auth: %s is not JSON", path)
	}
	c := f.Installed
	if c == nil {
		c = f.Web
	}
	switch {
	case f.Type == "service_account":
		return oauthClient{}, fmt.Errorf("google auth: %s is a service-account key; use it as credentials_file instead, no sign-in needed", path)
	case c == nil || c.ClientID == "" || c.ClientSecret == "":
		return oauthClient{}, fmt.Errorf("google auth: %s is not an OAuth client file (want the JSON downloaded for a \"TVs and Limited Input devices\" client)", path)
	}
	return *c, nil
}

// oauthProblem describes a device-flow error in plain words, from the
// OAuth error code only (never the response body).
func oauthProblem(err error) string {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err.Error()
	}
	switch re.ErrorCode {
	case "access_denied":
		return "the request was denied on the approval page"
	case "expired_token":
		return "the code expired before it was approved; run the command again"
	case "invalid_client", "unauthorized_client":
		return fmt.Sprintf("Google refused the OAuth client (%s): it must be of type \"TVs and Limited Input devices\" and not deleted", re.ErrorCode)
	case "invalid_scope":
		return "Google refused the calendar.readonly scope for this client (invalid_scope)"
	case "org_internal":
		return "the OAuth app is limited to its Workspace organization (org_internal)"
	case "":
		if re.Response != nil {
			return fmt.Sprintf("unexpected answer from Google (%d)", re.Response.StatusCode)
		}
		return "unexpected answer from Google"
	}
	return fmt.Sprintf("Google said %q", re.ErrorCode)
}

// chownLikeDir gives f the owner of dir when run as root, so a token that
// `sudo kiosk auth google` saves in the service's state directory (owned by
// its DynamicUser) stays readable by the service.
func chownLikeDir(f *os.File, dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Uid == 0 {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// writeFileAtomic writes data with mode 0600 next to path, syncs it and
// renames it over path, so a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if err := chownLikeDir(f, dir); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}
