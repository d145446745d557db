package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ordset/ordset/compose"
)

// Backend is what the server needs from the daemon. Streaming calls invoke send for each
// item until ctx ends (the client went away) or send fails.
type Backend interface {
	Version() VersionInfo
	Status(ctx context.Context) (DaemonStatus, error)
	Apply(ctx context.Context, req ApplyRequest) (ApplyResponse, error)
	Scale(ctx context.Context, req ScaleRequest) error
	Delete(ctx context.Context, req DeleteRequest) (DeleteResponse, error)
	Restart(ctx context.Context, req RestartRequest) error
	Pods(ctx context.Context, namespace string) ([]Pod, error)
	StatefulSets(ctx context.Context, namespace string) ([]StatefulSet, error)
	Services(ctx context.Context, namespace string) ([]Service, error)
	Describe(ctx context.Context, namespace, name string) (Description, error)
	Events(ctx context.Context, q EventsQuery, send func(Event) error) error
	Watch(ctx context.Context, namespace string, sets []string, send func(WatchFrame) error) error
	Logs(ctx context.Context, namespace, pod string, opts LogOptions) (io.ReadCloser, error)
	// ExecTarget resolves a pod's container ("" for its first) for exec and cp.
	ExecTarget(ctx context.Context, namespace, pod, container string) (ExecTarget, error)
	DeletePod(ctx context.Context, req DeletePodRequest) error
	RolloutBackend
	// Shutdown asks the daemon to stop gracefully (pods keep running); it returns at once.
	Shutdown()
}

// Server serves the API on a unix socket.
type Server struct {
	b    Backend
	log  *slog.Logger
	http *http.Server
}

// NewServer builds the HTTP handler tree over b.
func NewServer(b Backend, log *slog.Logger) *Server {
	s := &Server{b: b, log: log.With("component", "api")}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/version", s.version)
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("POST /v1/apply", s.apply)
	mux.HandleFunc("POST /v1/scale", s.scale)
	mux.HandleFunc("POST /v1/delete", s.delete)
	mux.HandleFunc("POST /v1/restart", s.restart)
	mux.HandleFunc("GET /v1/pods", s.pods)
	mux.HandleFunc("GET /v1/statefulsets", s.statefulsets)
	mux.HandleFunc("GET /v1/services", s.services)
	mux.HandleFunc("GET /v1/describe", s.describe)
	mux.HandleFunc("GET /v1/events", s.events)
	mux.HandleFunc("GET /v1/watch", s.watch)
	mux.HandleFunc("GET /v1/logs", s.logs)
	mux.HandleFunc("GET /v1/exec-target", s.execTarget)
	mux.HandleFunc("POST /v1/delete-pod", s.deletePod)
	mux.HandleFunc("POST /v1/shutdown", s.shutdown)
	s.routeRollout(mux)
	s.http = &http.Server{Handler: withVersion(b.Version().Version, mux), ReadHeaderTimeout: 10 * time.Second}
	return s
}

// VersionHeader carries the daemon's version on every response, so a client learns it from
// its first request instead of asking GET /v1/version first (one round trip less per command).
const VersionHeader = "Ordset-Version"

func withVersion(version string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(VersionHeader, version)
		h.ServeHTTP(w, r)
	})
}

// Listen creates the unix socket at path with mode 0600 (removing a stale one: the caller
// holds the daemon lock, so no live daemon owns it).
func Listen(path string) (net.Listener, error) {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("chmod socket %s: %w", path, err)
	}
	return l, nil
}

// Serve serves until Shutdown; it returns nil after a graceful shutdown. Request contexts
// derive from ctx, so ending ctx also ends long-lived streams (events -f, watches, logs -f).
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.http.BaseContext = func(net.Listener) context.Context { return ctx }
	if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve api: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests and waits (bounded by ctx) for unary ones; streams end
// because their request contexts are cancelled by the daemon's context.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func (s *Server) reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		s.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.log.Debug("write response", "err", err)
	}
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	code, body := toWire(err)
	if code == http.StatusInternalServerError {
		s.log.Warn("request failed", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// bodyTimeout bounds receiving a request body: a client that stalls mid-body must not hold a
// connection (and a goroutine) forever. Responses (watches, logs) have no such bound.
var bodyTimeout = 30 * time.Second

// decode reads a JSON request body of at most compose.MaxSpecBytes, the limit the loader
// checks too, within bodyTimeout.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(bodyTimeout))
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, compose.MaxSpecBytes)).Decode(v)
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case err == nil:
		// Lift the deadline only now: after a failure the server drains the rest of the body,
		// which must not wait forever either.
		_ = rc.SetReadDeadline(time.Time{})
		return nil
	case errors.As(err, &tooBig):
		return Invalidf("request body over %d MiB, the daemon's limit (an ordset file is checked against it when loaded)", compose.MaxSpecBytes>>20)
	case errors.As(err, &ne) && ne.Timeout():
		return Invalidf("request body not received within %s", bodyTimeout)
	}
	return Invalidf("decode request body: %v", err)
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) { s.reply(w, s.b.Version(), nil) }

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.b.Status(r.Context())
	s.reply(w, st, err)
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request) {
	var req ApplyRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	resp, err := s.b.Apply(r.Context(), req)
	s.reply(w, resp, err)
}

func (s *Server) scale(w http.ResponseWriter, r *http.Request) {
	var req ScaleRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	s.reply(w, struct{}{}, s.b.Scale(r.Context(), req))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	var req DeleteRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	resp, err := s.b.Delete(r.Context(), req)
	s.reply(w, resp, err)
}

func (s *Server) restart(w http.ResponseWriter, r *http.Request) {
	var req RestartRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	s.reply(w, struct{}{}, s.b.Restart(r.Context(), req))
}

func (s *Server) pods(w http.ResponseWriter, r *http.Request) {
	pods, err := s.b.Pods(r.Context(), r.URL.Query().Get("namespace"))
	if pods == nil {
		pods = []Pod{}
	}
	s.reply(w, pods, err)
}

func (s *Server) statefulsets(w http.ResponseWriter, r *http.Request) {
	sets, err := s.b.StatefulSets(r.Context(), r.URL.Query().Get("namespace"))
	if sets == nil {
		sets = []StatefulSet{}
	}
	s.reply(w, sets, err)
}

func (s *Server) services(w http.ResponseWriter, r *http.Request) {
	svcs, err := s.b.Services(r.Context(), r.URL.Query().Get("namespace"))
	if svcs == nil {
		svcs = []Service{}
	}
	s.reply(w, svcs, err)
}

func (s *Server) describe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := s.b.Describe(r.Context(), q.Get("namespace"), q.Get("name"))
	s.reply(w, d, err)
}

func (s *Server) execTarget(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, err := s.b.ExecTarget(r.Context(), q.Get("namespace"), q.Get("pod"), q.Get("container"))
	s.reply(w, t, err)
}

func (s *Server) shutdown(w http.ResponseWriter, r *http.Request) {
	s.reply(w, struct{}{}, nil)
	s.b.Shutdown()
}

// stream writes JSON lines, flushing after each so the client sees progress at once.
// Errors before the first line become a normal JSON error response.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, run func(send func(any) error) error) {
	started := false
	fl, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	send := func(v any) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
		if fl != nil {
			fl.Flush()
		}
		return nil
	}
	err := run(send)
	if err != nil && !started {
		s.fail(w, err)
		return
	}
	if err != nil && r.Context().Err() == nil {
		s.log.Debug("stream ended", "path", r.URL.Path, "err", err)
	}
	if !started {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	}
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, _ := strconv.ParseUint(q.Get("since"), 10, 64)
	eq := EventsQuery{Namespace: q.Get("namespace"), Object: q.Get("object"), Follow: q.Get("follow") == "1", Since: since}
	s.stream(w, r, func(send func(any) error) error {
		return s.b.Events(r.Context(), eq, func(e Event) error { return send(e) })
	})
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var sets []string
	if v := q.Get("sets"); v != "" {
		sets = strings.Split(v, ",")
	}
	s.stream(w, r, func(send func(any) error) error {
		return s.b.Watch(r.Context(), q.Get("namespace"), sets, func(f WatchFrame) error { return send(f) })
	})
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := LogOptions{Follow: q.Get("follow") == "1", Tail: q.Get("tail"), Timestamps: q.Get("timestamps") == "1",
		Container: q.Get("container"), Previous: q.Get("previous") == "1"}
	rc, err := s.b.Logs(r.Context(), q.Get("namespace"), q.Get("pod"), opts)
	if err != nil {
		s.fail(w, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	buf := make([]byte, 32<<10)
	for {
		n, err := rc.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
		if err != nil {
			return
		}
	}
}
