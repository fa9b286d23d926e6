// Package views holds the HTML templates, embedded so one binary ships.
package views

import "embed"

// FS holds the templates: index.html and board.html.
//
//go:embed *.html
var FS embed.FS
