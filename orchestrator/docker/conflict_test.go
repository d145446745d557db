package docker

import (
	"errors"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// A volume another ordset daemon made is named as that daemon's, not as "not managed by
// ordset" (which sent users looking for a foreign tool), and still refuses like a foreign one.
func TestConflictErrorNamesAnotherDaemon(t *testing.T) {
	err := error(&conflictError{kind: "volume", name: "demo_data-redis-0", otherOwner: "f6c8", self: "a7cd"})
	msg := err.Error()
	for _, want := range []string{"another ordset daemon", "owner f6c8", "a7cd", "ORDSET_STATE_DIR"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "object not managed") {
		t.Errorf("message %q calls another daemon's volume foreign", msg)
	}
	if !errors.Is(err, orchestrator.ErrNameInUse) || !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Errorf("%v: want ErrNameInUse and ErrNotOwned", err)
	}
}
