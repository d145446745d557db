package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

// hostPort splits a test server address into the probe target IP and port.
func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// closedPort returns a loopback port nobody listens on (it was just released).
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRunTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ip, port := hostPort(t, l.Addr().String())
	_, deadPort := hostPort(t, closedPort(t))

	tests := []struct {
		name   string
		action compose.TCPSocketAction
		target Target
		want   Result
	}{
		{"pod IP", compose.TCPSocketAction{Port: compose.PortRef{Number: port}}, Target{IP: ip}, Success},
		{"explicit host wins", compose.TCPSocketAction{Host: ip, Port: compose.PortRef{Number: port}}, Target{IP: "192.0.2.1"}, Success},
		{"nobody listens", compose.TCPSocketAction{Port: compose.PortRef{Number: deadPort}}, Target{IP: ip}, Failure},
		{"no IP yet", compose.TCPSocketAction{Port: compose.PortRef{Number: port}}, Target{}, Failure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.action
			got, msg := Run(context.Background(), &compose.Probe{TCPSocket: &a}, tc.target, nil)
			if got != tc.want {
				t.Fatalf("Run = %v (%s), want %v", got, msg, tc.want)
			}
			if got != Success && msg == "" {
				t.Fatal("a failure must say why")
			}
		})
	}
}

func TestRunHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://192.0.2.1/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/down", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "warming up", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "yes" || r.Host != "pod.example" {
			w.WriteHeader(http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tlsSrv := httptest.NewTLSServer(mux)
	defer tlsSrv.Close()
	ip, port := hostPort(t, srv.Listener.Addr().String())
	_, tlsPort := hostPort(t, tlsSrv.Listener.Addr().String())

	tests := []struct {
		name    string
		action  compose.HTTPGetAction
		want    Result
		msgPart string
	}{
		{"200", compose.HTTPGetAction{Path: "/ok", Port: compose.PortRef{Number: port}}, Success, ""},
		{"path without slash", compose.HTTPGetAction{Path: "ok", Port: compose.PortRef{Number: port}}, Success, ""},
		{"redirect is success and not followed", compose.HTTPGetAction{Path: "/moved", Port: compose.PortRef{Number: port}}, Success, ""},
		{"503", compose.HTTPGetAction{Path: "/down", Port: compose.PortRef{Number: port}}, Failure, "status 503: warming up"},
		{"404", compose.HTTPGetAction{Path: "/nope", Port: compose.PortRef{Number: port}}, Failure, "status 404"},
		{"headers and Host", compose.HTTPGetAction{Path: "/headers", Port: compose.PortRef{Number: port},
			HTTPHeaders: []compose.HTTPHeader{{Name: "X-Probe", Value: "yes"}, {Name: "Host", Value: "pod.example"}}}, Success, ""},
		{"missing headers", compose.HTTPGetAction{Path: "/headers", Port: compose.PortRef{Number: port}}, Failure, "status 400"},
		{"https without verification", compose.HTTPGetAction{Path: "/ok", Scheme: "HTTPS", Port: compose.PortRef{Number: tlsPort}}, Success, ""},
		{"timeout", compose.HTTPGetAction{Path: "/slow", Port: compose.PortRef{Number: port}}, Failure, "timed out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.action
			start := time.Now()
			got, msg := run(context.Background(), &compose.Probe{HTTPGet: &a}, Target{IP: ip}, nil, 200*time.Millisecond)
			if got != tc.want || !strings.Contains(msg, tc.msgPart) {
				t.Fatalf("run = %v %q, want %v containing %q", got, msg, tc.want, tc.msgPart)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("attempt took %v, timeout not honoured", d)
			}
		})
	}
}

func TestRunExec(t *testing.T) {
	fake := func(ctx context.Context, id string, cmd []string) (int, []byte, error) {
		if id != "c1" {
			t.Errorf("exec in %q, want c1", id)
		}
		switch cmd[0] {
		case "ok":
			return 0, nil, nil
		case "fail":
			return 3, []byte("  not yet\n"), nil
		case "hang":
			<-ctx.Done()
			return -1, nil, ctx.Err()
		default:
			return -1, nil, context.Canceled // stands in for an engine error
		}
	}
	tests := []struct {
		cmd     string
		want    Result
		msgPart string
	}{
		{"ok", Success, ""},
		{"fail", Failure, `exited 3: not yet`},
		{"hang", Failure, "timed out"},
		{"broken", Unknown, "exec probe"},
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			p := &compose.Probe{Exec: &compose.ExecAction{Command: []string{tc.cmd}}}
			got, msg := run(context.Background(), p, Target{ContainerID: "c1"}, fake, 50*time.Millisecond)
			if got != tc.want || !strings.Contains(msg, tc.msgPart) {
				t.Fatalf("run = %v %q, want %v containing %q", got, msg, tc.want, tc.msgPart)
			}
		})
	}
	if got, _ := Run(context.Background(), &compose.Probe{}, Target{}, fake); got != Unknown {
		t.Fatalf("probe without handler = %v, want unknown", got)
	}
}

func TestRunDefaultTimeoutIsOneSecond(t *testing.T) {
	var got time.Duration
	fake := func(ctx context.Context, _ string, _ []string) (int, []byte, error) {
		dl, _ := ctx.Deadline()
		got = time.Until(dl)
		return 0, nil, nil
	}
	Run(context.Background(), &compose.Probe{Exec: &compose.ExecAction{Command: []string{"x"}}}, Target{}, fake)
	if got <= 900*time.Millisecond || got > time.Second {
		t.Fatalf("deadline in %v, want ~1s", got)
	}
}
