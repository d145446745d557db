package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Client is the typed API client over the daemon's unix socket.
type Client struct {
	socket string // for error messages
	hc     *http.Client
	// onVersion, when set, gets the daemon's version from the first response (see OnDaemonVersion).
	onVersion   func(version string)
	versionSeen atomic.Bool
}

// OnDaemonVersion has f called once, with the VersionHeader of the first response the client
// receives: "" from a daemon too old to send it. Set it before the first request. f may use
// the client (its own requests do not call f again).
func (c *Client) OnDaemonVersion(f func(version string)) { c.onVersion = f }

// NewClient returns a client for the socket at path. It does not connect yet.
func NewClient(path string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		MaxIdleConns:    2,
		IdleConnTimeout: 30 * time.Second,
	}
	return &Client{socket: path, hc: &http.Client{Transport: tr}}
}

// url is the request URL; the host is a placeholder, the transport dials the socket.
func (c *Client) url(path string, q url.Values) string {
	u := "http://ordset" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

func (c *Client) do(ctx context.Context, method, path string, q url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(path, q), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ordset daemon at %s: %w", c.socket, err)
	}
	if c.onVersion != nil && c.versionSeen.CompareAndSwap(false, true) {
		c.onVersion(resp.Header.Get(VersionHeader))
	}
	if resp.StatusCode >= 300 {
		defer resp.Body.Close()
		var e Error
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(raw, &e) != nil || e.Message == "" {
			e = Error{Message: fmt.Sprintf("%s %s: %s", method, path, resp.Status), Code: CodeInternal}
		}
		return nil, &e
	}
	return resp, nil
}

func (c *Client) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	resp, err := c.do(ctx, method, path, q, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s response: %w", path, err)
	}
	return nil
}

// Ping reports whether a daemon answers on the socket.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Version(ctx)
	return err
}

// Version returns the daemon's build.
func (c *Client) Version(ctx context.Context) (VersionInfo, error) {
	var v VersionInfo
	return v, c.call(ctx, http.MethodGet, "/v1/version", nil, nil, &v)
}

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (DaemonStatus, error) {
	var v DaemonStatus
	return v, c.call(ctx, http.MethodGet, "/v1/status", nil, nil, &v)
}

// Apply submits sets.
func (c *Client) Apply(ctx context.Context, req ApplyRequest) (ApplyResponse, error) {
	var v ApplyResponse
	return v, c.call(ctx, http.MethodPost, "/v1/apply", nil, req, &v)
}

// Scale changes a set's replica count.
func (c *Client) Scale(ctx context.Context, req ScaleRequest) error {
	return c.call(ctx, http.MethodPost, "/v1/scale", nil, req, nil)
}

// Delete removes sets.
func (c *Client) Delete(ctx context.Context, req DeleteRequest) (DeleteResponse, error) {
	var v DeleteResponse
	return v, c.call(ctx, http.MethodPost, "/v1/delete", nil, req, &v)
}

// Restart triggers a rolling restart.
func (c *Client) Restart(ctx context.Context, req RestartRequest) error {
	return c.call(ctx, http.MethodPost, "/v1/restart", nil, req, nil)
}

// Shutdown asks the daemon to stop (pods keep running).
func (c *Client) Shutdown(ctx context.Context) error {
	return c.call(ctx, http.MethodPost, "/v1/shutdown", nil, struct{}{}, nil)
}

func nsQuery(namespace string) url.Values {
	q := url.Values{}
	if namespace != "" {
		q.Set("namespace", namespace)
	}
	return q
}

// Pods lists pods of a namespace ("" for all).
func (c *Client) Pods(ctx context.Context, namespace string) ([]Pod, error) {
	var v []Pod
	return v, c.call(ctx, http.MethodGet, "/v1/pods", nsQuery(namespace), nil, &v)
}

// StatefulSets lists sets of a namespace ("" for all).
func (c *Client) StatefulSets(ctx context.Context, namespace string) ([]StatefulSet, error) {
	var v []StatefulSet
	return v, c.call(ctx, http.MethodGet, "/v1/statefulsets", nsQuery(namespace), nil, &v)
}

// Services lists the Services of a namespace ("" for all): the sets' own and the others.
func (c *Client) Services(ctx context.Context, namespace string) ([]Service, error) {
	var v []Service
	return v, c.call(ctx, http.MethodGet, "/v1/services", nsQuery(namespace), nil, &v)
}

// Describe describes a set or a pod (name "redis" or "redis-1").
func (c *Client) Describe(ctx context.Context, namespace, name string) (Description, error) {
	q := nsQuery(namespace)
	q.Set("name", name)
	var v Description
	return v, c.call(ctx, http.MethodGet, "/v1/describe", q, nil, &v)
}

// ExecTarget resolves a pod to one of its containers ("" for the first).
func (c *Client) ExecTarget(ctx context.Context, namespace, pod, container string) (ExecTarget, error) {
	q := nsQuery(namespace)
	q.Set("pod", pod)
	if container != "" {
		q.Set("container", container)
	}
	var v ExecTarget
	return v, c.call(ctx, http.MethodGet, "/v1/exec-target", q, nil, &v)
}

// Logs streams a pod's logs; the caller closes the reader.
func (c *Client) Logs(ctx context.Context, namespace, pod string, opts LogOptions) (io.ReadCloser, error) {
	q := nsQuery(namespace)
	q.Set("pod", pod)
	if opts.Follow {
		q.Set("follow", "1")
	}
	if opts.Tail != "" {
		q.Set("tail", opts.Tail)
	}
	if opts.Timestamps {
		q.Set("timestamps", "1")
	}
	if opts.Container != "" {
		q.Set("container", opts.Container)
	}
	if opts.Previous {
		q.Set("previous", "1")
	}
	resp, err := c.do(ctx, http.MethodGet, "/v1/logs", q, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Events calls fn for each event; with q.Follow it keeps going until ctx ends or fn fails.
func (c *Client) Events(ctx context.Context, q EventsQuery, fn func(Event) error) error {
	v := nsQuery(q.Namespace)
	if q.Object != "" {
		v.Set("object", q.Object)
	}
	if q.Follow {
		v.Set("follow", "1")
	}
	if q.Since > 0 {
		v.Set("since", strconv.FormatUint(q.Since, 10))
	}
	return streamLines(ctx, c, "/v1/events", v, fn)
}

// Watch streams progress frames for sets of a namespace (all its sets when sets is empty)
// until ctx ends or fn returns an error; fn returning ErrStop ends the watch cleanly.
func (c *Client) Watch(ctx context.Context, namespace string, sets []string, fn func(WatchFrame) error) error {
	v := nsQuery(namespace)
	if len(sets) > 0 {
		v.Set("sets", strings.Join(sets, ","))
	}
	return streamLines(ctx, c, "/v1/watch", v, fn)
}

// ErrStop ends a stream from inside its callback without an error.
var ErrStop = errors.New("stop")

func streamLines[T any](ctx context.Context, c *Client, path string, q url.Values, fn func(T) error) error {
	resp, err := c.do(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// A decoder, not a line scanner: a frame (a watch of 100000 pods) may be of any size.
	dec := json.NewDecoder(resp.Body)
	for {
		var item T
		err := dec.Decode(&item)
		if errors.Is(err, io.EOF) {
			return ctx.Err()
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("read %s stream: %w", path, err)
		}
		if err := fn(item); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
}
