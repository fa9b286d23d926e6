// Package static holds the page's CSS, JavaScript and sounds, embedded so
// one binary ships.
package static

import "embed"

// FS holds css/, js/, sounds/ and icons/.
//
//go:embed css js sounds icons
var FS embed.FS
