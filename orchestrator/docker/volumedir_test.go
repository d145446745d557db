package docker

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
)

func TestSubPathDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/etc", filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	got, err := subPathDir(dir, "a/b/")
	if err != nil || got != filepath.Join(dir, "a", "b") {
		t.Fatalf("subPathDir a/b = %q, %v", got, err)
	}
	if fi, err := os.Stat(got); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		t.Errorf("created %v, %v: want a 0755 directory", fi, err)
	}
	for _, sub := range []string{"escape", "escape/passwd", "a/../../x"} {
		if _, err := subPathDir(dir, sub); err == nil {
			t.Errorf("subPathDir %q: no error, want a refusal (it leaves the volume)", sub)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Errorf("a refused subPath created a directory")
	}
}

func TestSetVolumeGroup(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("changing a file's group to another needs root")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	must(os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("x"), 0o600))
	must(os.WriteFile(filepath.Join(dir, "run.sh"), []byte("x"), 0o700))
	must(os.Symlink("/etc/passwd", filepath.Join(dir, "link")))
	before, _ := os.Stat("/etc/passwd")
	must(setVolumeGroup(dir, 4242))
	for _, c := range []struct {
		path string
		mode fs.FileMode
	}{{"", 0o775 | fs.ModeSetgid | fs.ModeDir}, {"sub", 0o770 | fs.ModeSetgid | fs.ModeDir}, {"sub/f", 0o660}, {"run.sh", 0o770}} {
		fi, err := os.Stat(filepath.Join(dir, c.path))
		must(err)
		if gid := fileGID(fi); gid != 4242 || fi.Mode()&(fs.ModePerm|fs.ModeSetgid|fs.ModeDir) != c.mode {
			t.Errorf("%s: gid %d mode %v, want 4242 and %v", c.path, gid, fi.Mode(), c.mode)
		}
	}
	after, _ := os.Stat("/etc/passwd")
	if fileGID(after) != fileGID(before) || after.Mode() != before.Mode() {
		t.Errorf("the symbolic link was followed: /etc/passwd changed")
	}
	// A directory made later inside the setgid volume inherits the group and group write.
	got, err := subPathDir(dir, "later")
	must(err)
	fi, err := os.Stat(got)
	must(err)
	if fileGID(fi) != 4242 || fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != 0o775|fs.ModeSetgid {
		t.Errorf("subPath made in an fsGroup volume: gid %d mode %v", fileGID(fi), fi.Mode())
	}
}

func TestVolumeNamesOfSubPathBinds(t *testing.T) {
	got := volumeNames([]container.MountPoint{
		{Type: mount.TypeVolume, Name: "demo_data-web-0"},
		{Type: mount.TypeBind, Source: "/var/lib/docker/volumes/demo_logs-web-0/_data/app"},
		{Type: mount.TypeBind, Source: "/var/lib/docker/volumes/demo_logs-web-0/_data/other"},
		{Type: mount.TypeBind, Source: "/home/me/volumes/project/data"},
	})
	if want := []string{"demo_data-web-0", "demo_logs-web-0"}; !slices.Equal(got, want) {
		t.Errorf("volumeNames = %v, want %v", got, want)
	}
	if strings.Contains(strings.Join(got, ","), "project") {
		t.Errorf("a host directory is not a volume")
	}
}

// BenchmarkSetVolumeGroup walks a volume of 10,000 files in 100 directories, as fsGroup does
// before every container start (Kubernetes' default policy, Always). The second and later
// walks find the modes already right and only re-group.
func BenchmarkSetVolumeGroup(b *testing.B) {
	dir := b.TempDir()
	for d := 0; d < 100; d++ {
		sub := filepath.Join(dir, strconv.Itoa(d))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := 0; f < 100; f++ {
			if err := os.WriteFile(filepath.Join(sub, strconv.Itoa(f)), nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	gid := int64(os.Getgid())
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := setVolumeGroup(dir, gid); err != nil {
			b.Fatal(err)
		}
	}
}
