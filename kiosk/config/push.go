package config

import (
	"fmt"
	"slices"
	"strings"
)

// Push sends notifications to phones (README, "push").
type Push struct {
	QuietHours *Span     `yaml:"quiet_hours"` // nil: the top-level quiet_hours
	Telegram   *Telegram `yaml:"telegram"`
	Ntfy       *Ntfy     `yaml:"ntfy"`
	Webhooks   []Webhook `yaml:"webhooks"`
	Send       []string  `yaml:"send"` // nil: every kind but message
}

// Telegram is the Bot API channel and the bot's allowed chats.
type Telegram struct {
	TokenFile string  `yaml:"token_file"`
	TokenEnv  string  `yaml:"token_env"`
	Chats     []int64 `yaml:"chats"`
	Endpoint  string  `yaml:"endpoint"`

	// Token is resolved from TokenFile or TokenEnv by Load.
	Token Secret `yaml:"-"`
}

// Ntfy is an ntfy topic.
type Ntfy struct {
	URL       string `yaml:"url"`
	TokenFile string `yaml:"token_file"`

	// Token is read from TokenFile by Load; empty without one.
	Token Secret `yaml:"-"`
}

// Webhook is a Slack-compatible incoming webhook; its URL is a secret.
type Webhook struct {
	URLFile string `yaml:"url_file"`

	// URL is read from URLFile by Load.
	URL Secret `yaml:"-"`
}

// PushKinds are the kinds push.send may name, in the order of the README.
var PushKinds = []string{"reminder", "train", "notice", "message", "weather", "trouble"}

// DefaultTelegramEndpoint is the Bot API's base URL.
const DefaultTelegramEndpoint = "https://api.telegram.org"

// validatePush fills the push defaults and resolves its secrets.
func (c *Config) validatePush(p *problems, getenv Env) {
	ps := c.Push
	if ps == nil {
		return
	}
	if ps.QuietHours == nil {
		ps.QuietHours = c.QuietHours
	} else {
		checkClock(p, "push.quiet_hours.start", ps.QuietHours.Start)
		checkClock(p, "push.quiet_hours.end", ps.QuietHours.End)
	}
	if ps.Send == nil {
		ps.Send = slices.DeleteFunc(slices.Clone(PushKinds), func(k string) bool { return k == "message" })
	}
	for i, k := range ps.Send {
		if !slices.Contains(PushKinds, k) {
			p.add(fmt.Sprintf("push.send[%d]", i), "must be one of %s, not %q", strings.Join(PushKinds, ", "), k)
		}
	}
	if t := ps.Telegram; t != nil {
		switch {
		case (t.TokenFile == "") == (t.TokenEnv == ""):
			p.add("push.telegram.token_file", "set token_file or token_env (one of them)")
		case t.TokenEnv != "":
			if t.Token = Secret(getenv(t.TokenEnv)); t.Token == "" {
				p.add("push.telegram.token_env", "environment variable %s is empty or unset", t.TokenEnv)
			}
		default:
			tok, err := c.readSecretFile(t.TokenFile, getenv)
			if err != nil {
				p.add("push.telegram.token_file", "%v", err)
			}
			t.Token = tok
		}
		if strings.ContainsAny(t.Token.Reveal(), "/?# \t") {
			p.add("push.telegram.token_file", "the token must not contain /, ?, # or spaces")
			t.Token = ""
		}
		if len(t.Chats) == 0 {
			p.add("push.telegram.chats", "name at least one chat id")
		}
		for i, id := range t.Chats {
			if id == 0 {
				p.add(fmt.Sprintf("push.telegram.chats[%d]", i), "must not be 0")
			}
		}
		if t.Endpoint == "" {
			t.Endpoint = DefaultTelegramEndpoint
		}
		checkURL(p, "push.telegram.endpoint", t.Endpoint)
		t.Endpoint = strings.TrimRight(t.Endpoint, "/")
	}
	if n := ps.Ntfy; n != nil {
		checkURL(p, "push.ntfy.url", n.URL)
		if n.TokenFile != "" {
			tok, err := c.readSecretFile(n.TokenFile, getenv)
			if err != nil {
				p.add("push.ntfy.token_file", "%v", err)
			}
			n.Token = tok
		}
	}
	for i := range ps.Webhooks {
		w := &ps.Webhooks[i]
		key := fmt.Sprintf("push.webhooks[%d].url_file", i)
		if w.URLFile == "" {
			p.add(key, "is required")
			continue
		}
		u, err := c.readSecretFile(w.URLFile, getenv)
		if err != nil {
			p.add(key, "%v", err)
			continue
		}
		w.URL = u
		if v := u.Reveal(); !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			p.add(key, "must hold an http:// or https:// URL")
		}
	}
}

// PushSecrets lists the push secrets, for scrubbing error texts.
func (c *Config) PushSecrets() []string {
	ps := c.Push
	if ps == nil {
		return nil
	}
	var out []string
	if ps.Telegram != nil {
		out = append(out, ps.Telegram.Token.Reveal())
	}
	if ps.Ntfy != nil {
		out = append(out, ps.Ntfy.Token.Reveal())
	}
	for _, w := range ps.Webhooks {
		out = append(out, w.URL.Reveal())
	}
	return out
}
