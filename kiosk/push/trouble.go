package push

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"kiosk/cache"
	"kiosk/kiosk/source"
)

// TroubleAfter is how long a source must fail before an alert, unless its
// error is a credential problem, which alerts at once.
const TroubleAfter = time.Hour

const troublePrefix = "push:t:"

// trouble is a source's alert state, kept in the store.
type trouble struct {
	Since   time.Time `json:"since"`             // first run seen failing
	Alerted bool      `json:"alerted,omitempty"` // an alert went out for this failure
	Day     string    `json:"day,omitempty"`     // local date of the last alert
}

// Troubles turns source health into trouble alerts: one when a source has
// failed for TroubleAfter (at once for a credential error), one when it
// recovers, and never more than one failure alert per source per day.
type Troubles struct {
	outbox *Outbox
	store  *cache.Store
	loc    *time.Location
	locale string
	log    *slog.Logger
}

// NewTroubles returns the watcher; it puts its alerts in outbox.
func NewTroubles(outbox *Outbox, log *slog.Logger) *Troubles {
	return &Troubles{outbox: outbox, store: outbox.opts.Store, loc: outbox.opts.Loc, locale: outbox.opts.Locale, log: log}
}

// Check looks at every source once; the minute job calls it.
func (t *Troubles) Check(statuses []source.Status) error {
	now := t.store.Now()
	var errs []error
	for _, st := range statuses {
		key := troublePrefix + st.Name
		rec, err := cache.Get[trouble](t.store, key)
		if err != nil && !errors.Is(err, cache.ErrMiss) {
			errs = append(errs, err)
			continue
		}
		failing := !st.OK && st.Error != ""
		switch {
		case failing:
			before := rec
			if rec.Since.IsZero() || rec.Since.After(now) {
				rec.Since = now
			}
			today := now.In(t.loc).Format(time.DateOnly)
			cred := urgentTrouble(st)
			if !rec.Alerted && rec.Day != today && (cred || now.Sub(rec.Since) >= TroubleAfter) {
				id := fmt.Sprintf("trouble-%s-%d", st.Name, rec.Since.Unix())
				if err := t.outbox.Put(Message{ID: id, Kind: "trouble", Text: t.failText(st, cred),
					Created: now, Expire: now.Add(24 * time.Hour)}); err != nil {
					errs = append(errs, err)
					continue
				}
				rec.Alerted, rec.Day = true, today
				t.log.Info("push: trouble alert", "source", st.Name)
			}
			if rec != before {
				errs = append(errs, cache.Set(t.store, key, rec, 0))
			}
		case st.OK && !rec.Since.IsZero():
			if rec.Alerted {
				id := fmt.Sprintf("trouble-%s-%d-ok", st.Name, rec.Since.Unix())
				if err := t.outbox.Put(Message{ID: id, Kind: "trouble", Text: t.okText(st),
					Created: now, Expire: now.Add(24 * time.Hour)}); err != nil {
					errs = append(errs, err)
					continue
				}
				t.log.Info("push: recovery alert", "source", st.Name)
			}
			// Keep the day of the last alert, so a flapping source alerts
			// once a day at most.
			errs = append(errs, cache.Set(t.store, key, trouble{Day: rec.Day}, 0))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("push: trouble: %w", err)
	}
	return nil
}

// urgentTrouble reports whether a failure is one waiting will not fix, so
// it alerts at once: a credential problem (a wrong password, an expired or
// revoked Google sign-in; category auth) or SR blocking the kiosk (an srt
// source rate_limited). A status stored before categories existed is
// judged by its words.
func urgentTrouble(st source.Status) bool {
	switch st.Category {
	case "":
		return credentialWords(st.Error)
	case source.Auth:
		return true
	case source.RateLimited:
		return st.Kind == "srt"
	}
	return false
}

// credentialWords reads the words kiosk/srt and kiosk/calendar put in
// their credential errors.
func credentialWords(msg string) bool {
	m := strings.ToLower(msg)
	for _, w := range []string{"password", "credential", "invalid_grant", "sign-in", "sign in", "signed in",
		"no such member", "login refused", "blocked", "token has been expired", "expired or revoked",
		"not authorized", "unauthorized", "401"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

func (t *Troubles) failText(st source.Status, cred bool) string {
	en := t.locale == "en"
	var what string
	switch {
	case st.Category == source.RateLimited && en:
		what = "The server blocked this home's address for too many requests; the kiosk waits and tries again by itself."
	case st.Category == source.RateLimited:
		what = "요청이 많아 서버가 이 집의 인터넷 주소를 막았습니다. 키오스크가 기다렸다가 스스로 다시 시도합니다."
	case cred && en:
		what = "Its sign-in or password is not accepted: fix the account in kiosk.yaml (Google: run kiosk auth google again)."
	case cred:
		what = "로그인이나 비밀번호가 거부됩니다. kiosk.yaml의 계정을 확인하세요 (Google은 kiosk auth google 다시 실행)."
	case en:
		what = "It keeps failing; the wall shows the last good data. See the status page."
	default:
		what = "계속 실패하고 있어요. 화면에는 마지막 정보가 보입니다. 상태 페이지를 확인하세요."
	}
	if en {
		return fmt.Sprintf("⚠ %s is not updating. %s\n(%s)", st.Name, what, st.Error)
	}
	return fmt.Sprintf("⚠ %s 업데이트 안 됨. %s\n(%s)", st.Name, what, st.Error)
}

func (t *Troubles) okText(st source.Status) string {
	if t.locale == "en" {
		return fmt.Sprintf("✓ %s works again.", st.Name)
	}
	return fmt.Sprintf("✓ %s 다시 정상입니다.", st.Name)
}
