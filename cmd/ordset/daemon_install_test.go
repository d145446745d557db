package main

import (
	"strings"
	"testing"
)

func TestServiceFile(t *testing.T) {
	base := serviceSpec{Binary: "/opt/my tools/ordset", StateDir: "/home/u/.local/state/ordset", Home: "/home/u",
		Env: map[string]string{"ORDSET_DNS_ADDR": "127.0.0.1:5353"}}
	tests := []struct {
		os       string
		system   bool
		path     string
		want     []string
		wantErr  string
		notWants []string
	}{
		{os: "linux", path: "/home/u/.config/systemd/user/ordset.service", want: []string{
			`ExecStart="/opt/my tools/ordset" daemon`, "Environment=ORDSET_STATE_DIR=/home/u/.local/state/ordset",
			"Environment=ORDSET_DNS_ADDR=127.0.0.1:5353", "Restart=on-failure", "WantedBy=default.target"},
			notWants: []string{"Requires=docker.service"}},
		{os: "linux", system: true, path: "/etc/systemd/system/ordset.service", want: []string{
			"Requires=docker.service", "After=docker.service", "WantedBy=multi-user.target"}},
		{os: "darwin", path: "/home/u/Library/LaunchAgents/dev.ordset.daemon.plist", want: []string{
			"<string>/opt/my tools/ordset</string>", "<string>daemon</string>", "<key>RunAtLoad</key><true/>",
			"<key>ORDSET_STATE_DIR</key><string>/home/u/.local/state/ordset</string>"}},
		{os: "darwin", system: true, wantErr: "--system is for systemd"},
		{os: "windows", wantErr: "supports Linux (systemd) and macOS (launchd)"},
	}
	for _, tt := range tests {
		sp := base
		sp.OS, sp.System = tt.os, tt.system
		path, content, err := serviceFile(sp)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s system=%v: err %v, want %q", tt.os, tt.system, err, tt.wantErr)
			}
			continue
		}
		if err != nil || path != tt.path {
			t.Errorf("%s system=%v: path %q err %v, want %q", tt.os, tt.system, path, err, tt.path)
		}
		for _, w := range tt.want {
			if !strings.Contains(content, w) {
				t.Errorf("%s system=%v: lacks %q:\n%s", tt.os, tt.system, w, content)
			}
		}
		for _, w := range tt.notWants {
			if strings.Contains(content, w) {
				t.Errorf("%s system=%v: has %q", tt.os, tt.system, w)
			}
		}
	}
}

// --print shows the unit and writes nothing; the help says what happens while it is stopped.
func TestDaemonInstallPrintAndHelp(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ORDSET_STATE_DIR", "/tmp/ordset-install-test")
	code, stdout, stderr := runIn(t, "", nil, "daemon", "install", "--print")
	if code != 0 || !strings.Contains(stdout, "ORDSET_STATE_DIR=/tmp/ordset-install-test") || stderr != "" {
		t.Errorf("daemon install --print: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"daemon", "install", "--help"}, {"daemon", "stop", "--help"}, {"daemon", "--help"}} {
		_, stdout, _ := runIn(t, "", nil, args...)
		for _, w := range []string{"pods keep running", "DNS server stops answering", "nothing replaces a pod that dies"} {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v lacks %q", args, w)
			}
		}
	}
}
