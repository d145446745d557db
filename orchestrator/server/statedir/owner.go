package statedir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"sync"
)

var ownerRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{16,64}$`) })

// LoadOwner returns the state directory's owner id, creating it on first use. The id is random
// and kept for the directory's life, so every object its daemon creates says which state
// directory made it, and daemons of other directories on the same engine leave it alone.
func LoadOwner(p Paths) (string, error) {
	if id, err := readOwner(p.Owner); !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return "", fmt.Errorf("create state directory %s: %w", p.Dir, err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("owner id: %w", err)
	}
	tmp, err := os.CreateTemp(p.Dir, "owner-id.*")
	if err != nil {
		return "", fmt.Errorf("write owner id: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(b[:]) + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("write owner id %s: %w", tmp.Name(), err)
	}
	// Link fails when a concurrent first start won: then both use the winner's id.
	if err := os.Link(tmp.Name(), p.Owner); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("write owner id %s: %w", p.Owner, err)
	}
	return readOwner(p.Owner)
}

func readOwner(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(raw))
	if !ownerRe().MatchString(id) {
		return "", fmt.Errorf("owner id %s: %q is not an owner id (hex); restore the file from a backup, or remove it only if no ordset objects were made from this state directory", path, id)
	}
	return id, nil
}
