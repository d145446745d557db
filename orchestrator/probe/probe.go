package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ordset/ordset/compose"
)

// ExecFunc runs cmd inside a container; the runtime's Exec fits it. It must honour ctx, which
// carries the probe timeout.
type ExecFunc func(ctx context.Context, containerID string, cmd []string) (exitCode int, output []byte, err error)

// Target is the pod a probe checks: its container (exec) and its IP on the namespace network
// (tcpSocket and httpGet without an explicit host).
type Target struct {
	ContainerID string
	IP          string
}

// Result is the outcome of one probe attempt.
type Result int

const (
	// Unknown means the probe could not be run (no handler, exec machinery failed); it counts as a failure.
	Unknown Result = iota
	Success
	Failure
)

func (r Result) String() string {
	switch r {
	case Success:
		return "success"
	case Failure:
		return "failure"
	default:
		return "unknown"
	}
}

// maxMessage bounds the output or body quoted in a result message.
const maxMessage = 1024

// Run makes one probe attempt, bounded by the probe's timeoutSeconds (compose's default when
// unset). The message explains a non-success in words fit for `ordset ps`.
func Run(ctx context.Context, p *compose.Probe, t Target, exec ExecFunc) (Result, string) {
	return run(ctx, p, t, exec, time.Duration(defaulted(p).TimeoutSeconds)*time.Second)
}

func run(ctx context.Context, p *compose.Probe, t Target, exec ExecFunc, timeout time.Duration) (Result, string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch {
	case p.Exec != nil:
		return runExec(ctx, p.Exec, t, exec)
	case p.TCPSocket != nil:
		return runTCP(ctx, p.TCPSocket, t)
	case p.HTTPGet != nil:
		return runHTTP(ctx, p.HTTPGet, t)
	default:
		return Unknown, "probe has no handler"
	}
}

func runExec(ctx context.Context, a *compose.ExecAction, t Target, exec ExecFunc) (Result, string) {
	if exec == nil {
		return Unknown, "exec probe: no exec function configured"
	}
	code, out, err := exec(ctx, t.ContainerID, a.Command)
	if err != nil {
		if ctx.Err() != nil {
			return Failure, fmt.Sprintf("exec probe %q timed out", strings.Join(a.Command, " "))
		}
		return Unknown, fmt.Sprintf("exec probe %q: %v", strings.Join(a.Command, " "), err)
	}
	if code != 0 {
		return Failure, fmt.Sprintf("exec probe %q exited %d: %s", strings.Join(a.Command, " "), code, clip(out))
	}
	return Success, ""
}

func hostOf(explicit string, t Target) string {
	if explicit != "" {
		return explicit
	}
	return t.IP
}

func runTCP(ctx context.Context, a *compose.TCPSocketAction, t Target) (Result, string) {
	host := hostOf(a.Host, t)
	if host == "" {
		return Failure, "tcp probe: pod has no IP yet"
	}
	addr := net.JoinHostPort(host, strconv.Itoa(a.Port.Number))
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return Failure, fmt.Sprintf("tcp probe %s: %v", addr, err)
	}
	_ = c.Close()
	return Success, ""
}

// probeTransport is shared by every HTTP probe. Like the kubelet it does not keep connections
// alive (each attempt proves the server still accepts), skips TLS verification (pods use
// self-signed certificates) and ignores proxy settings (pod IPs are local).
var probeTransport = &http.Transport{
	Proxy:              nil,
	DisableKeepAlives:  true,
	DisableCompression: true,
	TLSClientConfig:    &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // probes, as kubelet does
}

var probeClient = &http.Client{
	Transport: probeTransport,
	// A redirect is an answer: 3xx counts as success and is not followed.
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func runHTTP(ctx context.Context, a *compose.HTTPGetAction, t Target) (Result, string) {
	req, url, err := newGet(ctx, a, t, "ordset-probe/1")
	if err != nil {
		return Failure, "http probe: " + err.Error()
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return Failure, fmt.Sprintf("http probe %s: timed out", url)
		}
		return Failure, fmt.Sprintf("http probe %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxMessage))
	if resp.StatusCode >= 200 && resp.StatusCode < 400 {
		return Success, ""
	}
	return Failure, fmt.Sprintf("http probe %s: status %d: %s", url, resp.StatusCode, clip(body))
}

// Hook sends a lifecycle hook's GET (postStart, preStop) the way probes are sent, bounded by
// ctx. As the kubelet's hook handler, any HTTP answer counts as done, whatever its status:
// only a request that gets no answer fails. It returns the status for the caller's log.
func Hook(ctx context.Context, a *compose.HTTPGetAction, t Target) (int, error) {
	req, url, err := newGet(ctx, a, t, "ordset-hook/1")
	if err != nil {
		return 0, err
	}
	resp, err := probeClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxMessage))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// newGet builds the GET of an httpGet action: to its host, else the pod's IP, with its headers
// (a Host header sets the request's host, as in Kubernetes).
func newGet(ctx context.Context, a *compose.HTTPGetAction, t Target, agent string) (*http.Request, string, error) {
	host := hostOf(a.Host, t)
	if host == "" {
		return nil, "", errors.New("pod has no IP yet")
	}
	scheme := strings.ToLower(a.Scheme)
	if scheme == "" {
		scheme = "http"
	}
	path := a.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	url := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(a.Port.Number)) + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, url, fmt.Errorf("%s: %w", url, err)
	}
	req.Header.Set("User-Agent", agent)
	req.Header.Set("Accept", "*/*")
	for _, h := range a.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	return req, url, nil
}

// clip shortens probe output for a one-line message.
func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > maxMessage {
		b = append(b[:maxMessage:maxMessage], "..."...)
	}
	return string(b)
}
