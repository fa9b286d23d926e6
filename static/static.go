// Package static holds the page's CSS, JavaScript and sounds, embedded so
// one binary ships.
package static

import "embed"

// FS holds css/, js/ and sounds/.
//
//go:embed css js sounds
var FS embed.FS
