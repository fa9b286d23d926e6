package srt

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Back-off after an IP block: MinBlock, doubling with each consecutive
// block, at most MaxBlock.
const (
	MinBlock = time.Hour
	MaxBlock = 24 * time.Hour
)

// Gate is the policy that must survive restarts, as a plain JSON value for
// the store: after a refused login nothing is sent until the credentials
// change; after an IP block nothing is sent for MinBlock, doubling with
// each consecutive block up to MaxBlock. Its methods are pure functions of
// the state and the time passed in.
type Gate struct {
	// Refused is the Fingerprint of the credentials SR refused; "" if none.
	Refused string `json:"refused,omitempty"`
	Reason  string `json:"reason,omitempty"` // our wording of why
	// Blocks counts consecutive IP blocks; a success resets it.
	Blocks       int       `json:"blocks,omitempty"`
	BlockedUntil time.Time `json:"blocked_until,omitzero"`
}

// Allow returns nil when a request may be sent now with the credentials of
// fingerprint fp, else a *CredentialsError or a *BlockedError. A block
// ending further ahead than MaxBlock means the clock stepped back (a Pi
// boots with an old clock): it no longer holds.
func (g *Gate) Allow(now time.Time, fp string) error {
	if g.Refused != "" && g.Refused == fp {
		return &CredentialsError{Reason: g.Reason}
	}
	if wait := g.BlockedUntil.Sub(now); wait > 0 && wait <= MaxBlock {
		return &BlockedError{Until: g.BlockedUntil, After: wait}
	}
	return nil
}

// Record updates the state with the outcome of a refresh made with the
// credentials of fingerprint fp, and returns err as the caller should pass
// it on: an IP block comes back as a *BlockedError carrying the back-off.
// Other errors change nothing.
func (g *Gate) Record(now time.Time, fp string, err error) error {
	var cred *CredentialsError
	switch {
	case err == nil:
		*g = Gate{}
	case errors.As(err, &cred):
		g.Refused, g.Reason = fp, cred.Reason
	case errors.Is(err, ErrBlocked):
		g.Blocks++
		wait := MinBlock
		for i := 1; i < g.Blocks && wait < MaxBlock; i++ {
			wait *= 2
		}
		wait = min(wait, MaxBlock)
		g.BlockedUntil = now.Add(wait)
		return &BlockedError{Until: g.BlockedUntil, After: wait}
	}
	return err
}

// Fingerprint identifies a login attempt's inputs without revealing them:
// a PBKDF2-SHA256 of the password salted with the rest (the client passes
// login id, login type, user agent and endpoint). Only this is stored, so
// the store holds no password, and a change to any input reads as new
// credentials: SR has refused good passwords from an outdated app UA.
func Fingerprint(password string, salt ...string) string {
	s := []byte("kiosk/srt gate\x00" + strings.Join(salt, "\x00"))
	key, err := pbkdf2.Key(sha256.New, password, s, 10000, 16)
	if err != nil { // only in FIPS mode with unusual parameters
		sum := sha256.Sum256(append(s, password...))
		key = sum[:16]
	}
	return hex.EncodeToString(key)
}
