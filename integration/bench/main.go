package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/client"
)

// config is the benchmark's command line.
type config struct {
	sizes     []int
	runs      int
	kills     int
	healGap   time.Duration
	image     string
	port      int
	modes     map[string]bool
	dir       string // folder holding baseline.sh
	timeout   time.Duration
	verbose   bool
	readyPoll time.Duration
	health    string // compose healthcheck command; {port} is replaced
	bin       string // ordset binary
	summary   string // file to append the summary table's rows to
	// traceEvents logs every engine event the in-process Manager receives.
	traceEvents bool
	probePods   int           // pods of the probe-cost measurement
	probeWindow time.Duration // how long its CPU is counted per round
	// The scale benchmark (modes scale-parallel and scale-ordered; "scale" is both).
	scalePods    int           // pods of the Parallel set (and compose's replicas)
	scaleOrdered int           // pods of the OrderedReady scale from 0
	scaleImage   string        // the tiniest local image; the pods run `sleep`
	scaleTimeout time.Duration // deadline for one scale round
	psRuns       int           // runs of `ordset ps` per round
	scaleReport  string        // file for the scale details ("" = stdout with the rest)
}

func main() {
	var cfg config
	sizes := flag.String("sizes", "3,10", "replica counts to start")
	modes := flag.String("modes", "baseline,api,compose,ordset,ordset-up,heal,probe,scale",
		"what to measure (scale = scale-parallel,scale-ordered)")
	flag.StringVar(&cfg.bin, "ordset", "", "ordset binary for the ordset-up variant (skipped when empty)")
	flag.IntVar(&cfg.runs, "runs", 3, "runs per size and mode (the median is reported)")
	flag.IntVar(&cfg.kills, "kills", 10, "docker kill rounds for the self-heal measurement")
	flag.DurationVar(&cfg.healGap, "heal-gap", 0, "pause after a pod is Ready again before the next kill")
	flag.StringVar(&cfg.image, "image", "ordset-test/testapp:latest", "image every variant runs")
	flag.IntVar(&cfg.port, "port", 8080, "the image's HTTP port (GET /ready)")
	flag.StringVar(&cfg.dir, "dir", "integration/bench", "folder holding baseline.sh")
	flag.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "deadline for one start or one heal")
	flag.DurationVar(&cfg.readyPoll, "poll", 10*time.Millisecond, "readiness poll interval of the peers")
	flag.StringVar(&cfg.health, "health", "CMD /testapp probe http://127.0.0.1:{port}/ready", "compose healthcheck test (space separated)")
	flag.BoolVar(&cfg.traceEvents, "trace-events", false, "log each engine event the in-process Manager receives (with -v)")
	flag.BoolVar(&cfg.verbose, "v", false, "log the engine's debug output")
	flag.StringVar(&cfg.summary, "summary", "", "append markdown summary rows (figure, ordset, peer, ratio, target) to this file")
	flag.IntVar(&cfg.probePods, "probe-pods", 9, "pods of the probe-cost measurement")
	flag.DurationVar(&cfg.probeWindow, "probe-window", 20*time.Second, "CPU counting window per probe-cost round")
	flag.IntVar(&cfg.scalePods, "scale-pods", 200, "pods of the Parallel scale set (and compose's --scale)")
	flag.IntVar(&cfg.scaleOrdered, "scale-ordered", 50, "pods of the OrderedReady scale from 0")
	flag.StringVar(&cfg.scaleImage, "scale-image", "ordset-test/busybox:latest", "image of the scale benchmark (runs sleep)")
	flag.DurationVar(&cfg.scaleTimeout, "scale-timeout", 10*time.Minute, "deadline for one scale round")
	flag.IntVar(&cfg.psRuns, "ps-runs", 20, "runs of ordset ps (and docker ps) per scale round")
	flag.StringVar(&cfg.scaleReport, "scale-report", "", "write the scale details to this file instead of stdout")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench: bad size %q\n", s)
			os.Exit(2)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	cfg.modes = map[string]bool{}
	for _, m := range strings.Split(*modes, ",") {
		cfg.modes[strings.TrimSpace(m)] = true
	}
	if cfg.modes["scale"] {
		cfg.modes["scale-parallel"], cfg.modes["scale-ordered"] = true, true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	level := slog.LevelWarn
	if cfg.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	env := &env{cfg: cfg, cli: cli, log: log, prefix: fmt.Sprintf("ob%d", os.Getpid()%100000)}
	defer env.sweep()

	starters, engine, closeStarters, err := newStarters(ctx, env)
	if err != nil {
		return err
	}
	defer closeStarters()
	res, err := env.timeStarts(ctx, starters)
	if err != nil {
		return err
	}

	var heal healResults
	if cfg.modes["heal"] {
		if heal.docker, err = env.healDocker(ctx); err != nil {
			return fmt.Errorf("self-heal docker: %w", err)
		}
		if heal.ordset, err = env.healOrdset(ctx); err != nil {
			return fmt.Errorf("self-heal ordset: %w", err)
		}
	}
	var probes probeResults
	if cfg.modes["probe"] {
		if engine == nil {
			if engine, err = newOrdsetStarter(ctx, env); err != nil {
				return err
			}
			defer engine.close()
		}
		if probes, err = env.probeCost(ctx, engine); err != nil {
			return err
		}
	}
	scale, err := env.scale(ctx)
	if err != nil {
		return err
	}
	if len(starters) > 0 || len(heal.docker)+len(heal.ordset) > 0 {
		report(os.Stdout, cfg, starters, res, heal)
	}
	reportProbes(os.Stdout, cfg, probes)
	if err := writeScaleReport(cfg, scale); err != nil {
		return err
	}
	if cfg.summary != "" {
		f, err := os.OpenFile(cfg.summary, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		defer f.Close()
		writeSummary(f, cfg, res, heal, probes)
		writeScaleSummary(f, cfg, scale)
	}
	return nil
}

// newStarters builds the start-up variants cfg.modes asks for. engine is the in-process
// Manager (nil unless the "ordset" mode asked for it), shared with the modes that need one;
// closeAll releases every variant, the last built first.
func newStarters(ctx context.Context, env *env) (starters []starter, engine *ordsetStarter, closeAll func(), err error) {
	var closers []func()
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	cfg := env.cfg
	if cfg.modes["baseline"] {
		starters = append(starters, &shellStarter{env: env})
	}
	if cfg.modes["api"] {
		starters = append(starters, &apiStarter{env: env})
	}
	if cfg.modes["compose"] {
		starters = append(starters, &composeStarter{env: env})
	}
	if cfg.modes["ordset"] {
		if engine, err = newOrdsetStarter(ctx, env); err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		closers = append(closers, engine.close)
		starters = append(starters, engine)
	}
	if cfg.modes["ordset-up"] {
		if cfg.bin == "" {
			fmt.Fprintln(os.Stderr, "bench: no -ordset binary: skipping the ordset-up variant")
		} else {
			s, err := newCLIStarter(ctx, env, cfg.bin)
			if err != nil {
				closeAll()
				return nil, nil, nil, err
			}
			closers = append(closers, s.close)
			starters = append(starters, s)
		}
	}
	return starters, engine, closeAll, nil
}

// timeStarts times every variant bringing up every size, cfg.runs times, the variants
// interleaved so a noisy moment hurts all of them alike. On an error it reports what it has
// measured so far.
func (e *env) timeStarts(ctx context.Context, starters []starter) (startResults, error) {
	res := startResults{}
	for _, n := range e.cfg.sizes {
		for r := 0; r < e.cfg.runs; r++ {
			for _, s := range starters {
				d, err := e.timeStart(ctx, s, n, r)
				if err != nil {
					report(os.Stdout, e.cfg, starters, res, healResults{})
					return res, fmt.Errorf("%s N=%d run %d: %w", s.name(), n, r+1, err)
				}
				res.add(s.name(), n, d)
				fmt.Fprintf(os.Stderr, "start %-8s N=%-2d run %d: %s\n", s.name(), n, r+1, ms(d))
			}
		}
	}
	return res, nil
}

// env is what every variant shares: the docker client, a unique name prefix, the config.
type env struct {
	cfg    config
	cli    *client.Client
	log    *slog.Logger
	prefix string
	seq    int
}

// name returns a fresh, unique, DNS-label-safe object name.
func (e *env) name(kind string, n int) string {
	e.seq++
	return fmt.Sprintf("%s%s%dr%d", e.prefix, kind, n, e.seq)
}

// starter is one way to bring up N ordered, ready replicas of the app.
type starter interface {
	name() string
	// up returns once every replica answers its readiness check.
	up(ctx context.Context, id string, n int) error
	// down removes everything up created (not timed).
	down(ctx context.Context, id string, n int) error
}

func (e *env) timeStart(ctx context.Context, s starter, n, _ int) (time.Duration, error) {
	id := e.name(s.name()[:1], n)
	ctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	t0 := time.Now()
	err := s.up(ctx, id, n)
	d := time.Since(t0)
	if derr := s.down(context.WithoutCancel(ctx), id, n); derr != nil && err == nil {
		err = fmt.Errorf("clean up: %w", derr)
	}
	return d, err
}
