// Package docs carries the user documentation that the binary prints itself (ordset explain),
// so the text a user reads offline is the text of the repository.
package docs

import _ "embed"

// Format is FORMAT.md, the reference of the ordset file.
//
//go:embed FORMAT.md
var Format string
