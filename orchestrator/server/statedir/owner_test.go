package statedir

import (
	"os"
	"strings"
	"sync"
	"testing"
)

// TestLoadOwnerIsCreatedOnceAndKept: the first start creates the id, every later (or
// concurrent) start of the same state directory reads the same one, another directory gets
// another id.
func TestLoadOwnerIsCreatedOnceAndKept(t *testing.T) {
	p := PathsIn(t.TempDir() + "/state")
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := LoadOwner(p)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || !ownerRe().MatchString(id) {
			t.Fatalf("owner ids differ or are malformed: %q", ids)
		}
	}
	again, err := LoadOwner(p)
	if err != nil || again != ids[0] {
		t.Errorf("reload: %q %v, want %q", again, err, ids[0])
	}
	other, err := LoadOwner(PathsIn(t.TempDir()))
	if err != nil || other == ids[0] {
		t.Errorf("another state directory got %q %v", other, err)
	}
}

// TestLoadOwnerRefusesGarbage: a damaged id file is an error naming the file, never silently
// replaced (a new id would orphan every object the directory made).
func TestLoadOwnerRefusesGarbage(t *testing.T) {
	p := PathsIn(t.TempDir())
	if err := os.WriteFile(p.Owner, []byte("not an id\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOwner(p)
	if err == nil || !strings.Contains(err.Error(), p.Owner) {
		t.Fatalf("garbage owner id: %v", err)
	}
	if raw, _ := os.ReadFile(p.Owner); string(raw) != "not an id\x00" {
		t.Errorf("the damaged file was changed: %q", raw)
	}
}
