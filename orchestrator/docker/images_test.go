package docker

import (
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
)

// A recent inspect answers for its reference; an old one does not, and is dropped.
func TestImageCacheReuse(t *testing.T) {
	var c imageCache
	if _, ok := c.get("app:1"); ok {
		t.Fatal("empty cache answered")
	}
	c.put("app:1", orchestrator.ImageInfo{ID: "sha256:1", User: "app"})
	if info, ok := c.get("app:1"); !ok || info.User != "app" {
		t.Fatalf("fresh inspect not reused: %+v %v", info, ok)
	}
	c.m["app:1"] = imageSeen{c.m["app:1"].info, time.Now().Add(-imageReuse - time.Second)}
	if _, ok := c.get("app:1"); ok {
		t.Fatal("stale inspect reused")
	}
	c.put("app:2", orchestrator.ImageInfo{ID: "sha256:2"})
	if _, kept := c.m["app:1"]; kept {
		t.Fatal("stale entry kept")
	}
}
