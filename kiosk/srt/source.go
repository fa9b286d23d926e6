package srt

import (
	"context"
	"errors"
	"sync"

	"kiosk/cache"
)

// GateKey is where Source keeps its Gate in the store.
const GateKey = "srt:gate"

// Source is the kiosk's SRT upstream: a Client behind a Gate kept in the
// store, so a refused login stays refused and an IP block keeps its
// back-off across restarts. It does not memoize; kiosk/source.Run does.
type Source struct {
	store    *cache.Store
	client   *Client
	maxShown int
	mu       sync.Mutex
}

// NewSource returns a source showing at most maxShown reservations.
func NewSource(store *cache.Store, client *Client, maxShown int) *Source {
	return &Source{store: store, client: client, maxShown: maxShown}
}

// Fetch asks the gate, refreshes through the client, records the outcome
// and stores the gate when it changed. Its errors are the Client's; while
// the gate is shut they come without a request.
func (s *Source) Fetch(ctx context.Context) ([]Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	log, fp := s.client.log, s.client.fp
	g, err := cache.Get[Gate](s.store, GateKey)
	if err != nil && !errors.Is(err, cache.ErrMiss) {
		log.Warn("srt: unreadable gate state, starting afresh", "error", err)
		g = Gate{}
	}
	if err := g.Allow(s.store.Now(), fp); err != nil {
		return nil, err
	}
	rs, err := s.client.Reservations(ctx, s.maxShown)
	before := g
	err = g.Record(s.store.Now(), fp, err)
	if g != before {
		serr := cache.Set(s.store, GateKey, g, 0)
		if serr == nil {
			serr = s.store.Sync() // a refusal must survive a power cut
		}
		if serr != nil {
			log.Warn("srt: saving gate state", "error", serr)
		}
	}
	return rs, err
}

// CredentialsChanged reports whether the stored gate holds a refusal of
// other credentials than the client's: the config was fixed since. The
// caller may then source.Reset the source at start-up, so the new
// credentials are tried at once rather than after the failure back-off.
func (s *Source) CredentialsChanged() bool {
	g, err := cache.Get[Gate](s.store, GateKey)
	return err == nil && g.Refused != "" && g.Refused != s.client.fp
}
