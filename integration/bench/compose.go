package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// composeStarter runs docker-compose with one service per ordinal, each depending on the
// previous one with condition service_healthy: Compose's way to order a start on readiness.
// Docker 20.10 has no healthcheck start_interval, so the 1 s interval is the fastest
// honest setting, and it is what a Compose user would write.
type composeStarter struct{ env *env }

func (s *composeStarter) name() string { return "compose" }

// compose runs docker-compose on project id with the n-service file written to a temp dir.
func (s *composeStarter) compose(ctx context.Context, id string, n int, args ...string) error {
	dir, err := os.MkdirTemp("", id)
	if err != nil {
		return fmt.Errorf("compose dir: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(file, []byte(s.file(n)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return command(ctx, "docker-compose", append([]string{"-f", file, "-p", id}, args...)...)
}

func (s *composeStarter) up(ctx context.Context, id string, n int) error {
	if err := s.compose(ctx, id, n, "up", "-d"); err != nil {
		return err
	}
	// `up -d` returns once the last container is started; the set is up when it is ready too.
	last := fmt.Sprintf("%s_app-%d_1", id, n-1)
	ip, _, err := s.env.containerIP(ctx, last, id+"_default")
	if err != nil {
		return err
	}
	return s.env.waitHTTP(ctx, s.env.readyURL(ip))
}

func (s *composeStarter) down(ctx context.Context, id string, n int) error {
	return s.compose(ctx, id, n, "down", "-v", "-t", "1")
}

// file renders the compose file for n ordered replicas.
func (s *composeStarter) file(n int) string {
	var b strings.Builder
	test := strings.Fields(strings.ReplaceAll(s.env.cfg.health, "{port}", fmt.Sprint(s.env.cfg.port)))
	quoted := make([]string, len(test))
	for i, t := range test {
		quoted[i] = fmt.Sprintf("%q", t)
	}
	b.WriteString("services:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  app-%d:\n", i)
		fmt.Fprintf(&b, "    image: %s\n", s.env.cfg.image)
		fmt.Fprintf(&b, "    hostname: app-%d\n", i)
		fmt.Fprintf(&b, "    labels: {%s: \"1\"}\n", testLabel)
		fmt.Fprintf(&b, "    volumes: [\"data-%d:/data\"]\n", i)
		fmt.Fprintf(&b, "    healthcheck: {test: [%s], interval: 1s, timeout: 1s, retries: 120}\n", strings.Join(quoted, ", "))
		if i > 0 {
			fmt.Fprintf(&b, "    depends_on: {app-%d: {condition: service_healthy}}\n", i-1)
		}
	}
	b.WriteString("volumes:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  data-%d: {labels: {%s: \"1\"}}\n", i, testLabel)
	}
	fmt.Fprintf(&b, "networks:\n  default: {labels: {%s: \"1\"}}\n", testLabel)
	return b.String()
}
