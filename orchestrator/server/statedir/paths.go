package statedir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Paths are the files of one state directory. One daemon serves one state directory.
type Paths struct {
	Dir    string
	Socket string // API socket, mode 0600
	Lock   string // flock'ed by the running daemon; holds its pid
	DB     string // bbolt store
	Log    string // log of a daemon started in the background
	Owner  string // owner id put on every object this state directory's daemon creates
}

// StateDir resolves the state directory: ORDSET_STATE_DIR, else $XDG_STATE_HOME/ordset,
// else /var/lib/ordset for root, else ~/.local/state/ordset.
func StateDir() (string, error) {
	if d := os.Getenv("ORDSET_STATE_DIR"); d != "" {
		return filepath.Abs(d)
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "ordset"), nil
	}
	if os.Geteuid() == 0 {
		return "/var/lib/ordset", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state directory (set ORDSET_STATE_DIR): %w", err)
	}
	return filepath.Join(home, ".local", "state", "ordset"), nil
}

// PathsIn returns the paths inside dir.
func PathsIn(dir string) Paths {
	return Paths{
		Dir:    dir,
		Socket: filepath.Join(dir, "ordset.sock"),
		Lock:   filepath.Join(dir, "daemon.lock"),
		DB:     filepath.Join(dir, "state.db"),
		Log:    filepath.Join(dir, "daemon.log"),
		Owner:  filepath.Join(dir, "owner-id"),
	}
}

// DefaultPaths resolves StateDir and returns its paths.
func DefaultPaths() (Paths, error) {
	dir, err := StateDir()
	if err != nil {
		return Paths{}, err
	}
	return PathsIn(dir), nil
}
