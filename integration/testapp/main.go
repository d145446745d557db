// Command testapp is the application ordset's integration tests run in pods. It is one static
// binary so its image can be FROM scratch and built offline:
//
//   - an HTTP server: GET /healthz, /ready (503 until READY_DELAY has passed and while
//     NOT_READY_FILE exists), /hostname, /env/<NAME>, GET and PUT /data/<key> (files in DATA_DIR);
//   - a TCP echo server;
//   - failure switches: CRASH_AFTER (exit 1 after a duration) and DATA_DIR/crash (exit 1 at start);
//   - graceful SIGTERM (after SHUTDOWN_DELAY) so stop grace periods can be observed;
//   - tiny subcommands for exec probes and tests, since the image has no shell:
//     probe URL|tcp://HOST:PORT, touch FILE, rm FILE, cat FILE, sleep DURATION.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-") {
		os.Exit(subcommand(os.Args[1], os.Args[2:]))
	}
	cfg := configFromEnv()
	flag.StringVar(&cfg.httpAddr, "http", cfg.httpAddr, "HTTP listen address (HTTP_ADDR)")
	flag.StringVar(&cfg.tcpAddr, "tcp", cfg.tcpAddr, "TCP echo listen address (TCP_ADDR)")
	flag.StringVar(&cfg.dataDir, "data", cfg.dataDir, "data directory (DATA_DIR)")
	flag.Parse()
	if err := serve(cfg); err != nil {
		log.Printf("testapp: %v", err)
		os.Exit(1)
	}
}

type config struct {
	httpAddr, tcpAddr, dataDir, notReadyFile string
	readyDelay, crashAfter, shutdownDelay    time.Duration
}

func configFromEnv() config {
	return config{
		httpAddr:      env("HTTP_ADDR", ":8080"),
		tcpAddr:       env("TCP_ADDR", ":9000"),
		dataDir:       env("DATA_DIR", "/data"),
		notReadyFile:  env("NOT_READY_FILE", "/tmp/not-ready"),
		readyDelay:    duration("READY_DELAY"),
		crashAfter:    duration("CRASH_AFTER"),
		shutdownDelay: duration("SHUTDOWN_DELAY"),
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func duration(k string) time.Duration {
	v := os.Getenv(k)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		log.Fatalf("testapp: %s=%q: %v", k, v, err)
	}
	return d
}

func serve(cfg config) error {
	if err := os.MkdirAll(cfg.dataDir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(cfg.dataDir, "crash")); err == nil {
		return fmt.Errorf("crash switch %s present", filepath.Join(cfg.dataDir, "crash"))
	}
	start := time.Now()
	var shuttingDown atomic.Bool
	ready := func() bool {
		if shuttingDown.Load() || time.Since(start) < cfg.readyDelay {
			return false
		}
		_, err := os.Stat(cfg.notReadyFile)
		return err != nil
	}

	hl, err := net.Listen("tcp", cfg.httpAddr)
	if err != nil {
		return err
	}
	tl, err := net.Listen("tcp", cfg.tcpAddr)
	if err != nil {
		return err
	}
	go echo(tl)
	srv := &http.Server{Handler: handler(cfg, ready), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(hl)
	host, _ := os.Hostname()
	log.Printf("testapp %s: http %s, tcp %s, data %s, ready after %v", host, hl.Addr(), tl.Addr(), cfg.dataDir, cfg.readyDelay)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	var crash <-chan time.Time
	if cfg.crashAfter > 0 {
		crash = time.After(cfg.crashAfter)
	}
	select {
	case s := <-sig:
		log.Printf("testapp: %v, shutting down (delay %v)", s, cfg.shutdownDelay)
		shuttingDown.Store(true)
		time.Sleep(cfg.shutdownDelay)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		tl.Close()
		return ignoreClosed(srv.Shutdown(ctx))
	case <-crash:
		return fmt.Errorf("CRASH_AFTER %v elapsed", cfg.crashAfter)
	}
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func handler(cfg config, ready func() bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		if !ready() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	})
	mux.HandleFunc("GET /hostname", func(w http.ResponseWriter, r *http.Request) {
		h, _ := os.Hostname()
		io.WriteString(w, h+"\n")
	})
	mux.HandleFunc("GET /env/{name}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := os.LookupEnv(r.PathValue("name"))
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, v)
	})
	mux.HandleFunc("GET /data/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join(cfg.dataDir, filepath.Base(r.PathValue("key"))))
		if errors.Is(err, os.ErrNotExist) {
			http.NotFound(w, r)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("PUT /data/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err == nil {
			err = os.WriteFile(filepath.Join(cfg.dataDir, filepath.Base(r.PathValue("key"))), b, 0o644)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func echo(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}
