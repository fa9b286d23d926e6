package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// checkTypes walks the document along the Config type and reports every
// value of the wrong type and every unknown key in plain words, naming the
// key and its line: the decoder's own messages speak of YAML tags and Go
// types (`cannot unmarshal !!str into int`) and cut values mid-character.
func checkTypes(p *problems, n *yaml.Node, t reflect.Type, path string, depth int) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil && depth < 8 {
		checkTypes(p, n.Alias, t, path, depth+1)
		return
	}
	if n.Tag == "!!null" {
		return // an empty value: the default
	}
	bad := func(format string, args ...any) {
		if p.typed == nil {
			p.typed = map[string]bool{}
		}
		p.typed[path] = true
		line := lineOf(p.root, path) // the key's line; a block value starts below it
		if line == 0 {
			line = n.Line
		}
		p.addAt(line, path, format, args...)
	}
	switch {
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("expected keys indented under it (like key: value), got %s", describe(n, false))
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				if s := suggest(k.Value, fields); s != "" {
					msg += "; did you mean `" + s + "`?"
				} else if s := elsewhere(k.Value, t, path); s != "" {
					msg += "; it belongs under `" + s + "`"
				}
				p.addAt(k.Line, path, "%s", msg)
				continue
			}
			checkTypes(p, v, f.Type, join(path, k.Value), depth)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.String:
		if n.Kind != yaml.SequenceNode {
			bad("expected a list of entries, each starting with \"- \", got %s", describe(n, false))
			return
		}
		for i, item := range n.Content {
			checkTypes(p, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth)
		}
	default:
		if n.Decode(reflect.New(t).Interface()) == nil {
			return
		}
		secret := t == reflect.TypeFor[Secret]()
		switch t.Kind() {
		case reflect.Int:
			bad("expected a whole number, got %s", describe(n, secret))
		case reflect.Bool:
			bad("expected true or false, got %s", describe(n, secret))
		case reflect.Slice:
			bad("expected a list like [a, b]")
		default:
			bad("expected a single value, got %s", describe(n, secret))
		}
	}
}

// describe names what a node holds, quoting a value (cut by characters,
// never inside one) unless it is a secret.
func describe(n *yaml.Node, secret bool) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "keys (key: value)"
	}
	if secret {
		return "a value"
	}
	return fmt.Sprintf("%q", cut(n.Value, 40))
}

// cut shortens s to at most max characters, marking the cut with "…".
func cut(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps a struct's YAML keys to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out[name] = f
	}
	return out
}

// elsewhere finds where a key that is not known in the struct t (at path)
// belongs: in a section below t, else anywhere in the file. It returns the
// section, such as "dashboard" or "calendars[0].ics"; "" if the key is
// unknown everywhere.
func elsewhere(key string, t reflect.Type, path string) string {
	if sub := findKey(key, t, path, 0); sub != "" {
		return sub
	}
	if path != "" {
		return findKey(key, reflect.TypeFor[Config](), "", 0)
	}
	return ""
}

// findKey returns the first section below t holding key, breadth first.
func findKey(key string, t reflect.Type, path string, depth int) string {
	subs := sections(t, path)
	for _, sub := range subs {
		if _, ok := yamlFields(sub.t)[key]; ok {
			return sub.path
		}
	}
	if depth < 4 {
		for _, sub := range subs {
			if found := findKey(key, sub.t, sub.path, depth+1); found != "" {
				return found
			}
		}
	}
	return ""
}

type section struct {
	path string
	t    reflect.Type
}

// sections are the struct's keys that hold keys themselves, by name; a
// list is named by its first entry.
func sections(t reflect.Type, path string) []section {
	var out []section
	for name, f := range yamlFields(t) {
		ft, sub := f.Type, join(path, name)
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			if ft.Kind() == reflect.Slice {
				sub += "[0]"
			}
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			out = append(out, section{sub, ft})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// suggest returns the known key closest to an unknown one when it is a
// likely typo (a few edits away); "" otherwise.
func suggest(key string, fields map[string]reflect.StructField) string {
	norm := strings.ReplaceAll(strings.ToLower(key), "-", "_")
	best, bestD := "", 0
	for name := range fields {
		d := distance(norm, name)
		if best == "" || d < bestD || d == bestD && name < best {
			best, bestD = name, d
		}
	}
	limit := 2
	if utf8.RuneCountInString(best) > 8 {
		limit = 3
	}
	if best == "" || bestD > limit || bestD >= utf8.RuneCountInString(norm) {
		return ""
	}
	return best
}

// distance is the Levenshtein edit distance between a and b, in characters.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// checkFiles reports the files and folders the config names that are
// missing or cannot be read. Secret files are read by finish already.
func (c *Config) checkFiles(p *problems) {
	for i, cal := range c.Calendars {
		key := fmt.Sprintf("calendars[%d]", i)
		if cal.ICS != nil && cal.ICS.File != "" {
			if err := readable(cal.ICS.File); err != nil {
				p.add(key+".ics.file", "%v", err)
			}
		}
		if cal.Google != nil && cal.Google.CredentialsFile != "" {
			if _, err := os.Stat(cal.Google.CredentialsFile); err == nil { // a missing one is reported already
				if err := readable(cal.Google.CredentialsFile); err != nil {
					p.add(key+".google.credentials_file", "%v", err)
				}
			}
		}
	}
	if ph := c.Photos; ph != nil && ph.Dir != "" {
		info, err := os.Stat(ph.Dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.add("photos.dir", "the folder %s does not exist", ph.Dir)
		case err != nil:
			p.add("photos.dir", "cannot read %s: %v", ph.Dir, pathErr(err))
		case !info.IsDir():
			p.add("photos.dir", "%s is a file, not a folder", ph.Dir)
		default:
			if _, err := os.ReadDir(ph.Dir); err != nil {
				p.add("photos.dir", "cannot read the folder %s: %v", ph.Dir, pathErr(err))
			}
		}
	}
}

// readable reports why the file at path cannot be read; nil if it can.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fileErr(path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err == nil && info.IsDir() {
		return fmt.Errorf("%s is a folder, not a file", path)
	}
	if _, err := f.Read(make([]byte, 1)); err != nil && info != nil && info.Size() > 0 {
		return fileErr(path, err)
	}
	return nil
}

// fileErr words a failed open or read of path.
func fileErr(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s does not exist", path)
	}
	return fmt.Errorf("cannot read %s: %w", path, pathErr(err))
}

// pathErr drops the operation and path an *fs.PathError repeats.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
