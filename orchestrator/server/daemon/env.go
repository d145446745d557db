package daemon

import (
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"log/slog"
	"os"
	"strings"

	"github.com/ordset/ordset/orchestrator/docker"
)

// OptionsFromEnv builds the options of a real daemon: the Docker runtime (with
// ORDSET_EXTRA_LABELS and the state directory's owner id on every object it creates), the
// state directory and ORDSET_DNS_ADDR.
func OptionsFromEnv(log *slog.Logger, version string) (Options, error) {
	p, err := statedir.DefaultPaths()
	if err != nil {
		return Options{}, err
	}
	extra, err := parseExtraLabels(os.Getenv("ORDSET_EXTRA_LABELS"))
	if err != nil {
		return Options{}, err
	}
	owner, err := statedir.LoadOwner(p)
	if err != nil {
		return Options{}, err
	}
	rt, err := docker.New(docker.Options{Logger: log, ExtraLabels: extra, Owner: owner})
	if err != nil {
		return Options{}, err
	}
	return Options{
		Paths:   p,
		Runtime: rt,
		Owner:   owner,
		Logger:  log,
		Version: version,
		DNSAddr: os.Getenv("ORDSET_DNS_ADDR"),
		Zone:    os.Getenv("ORDSET_ZONE"),
	}, nil
}

// parseExtraLabels parses ORDSET_EXTRA_LABELS ("k=v,k2=v2").
func parseExtraLabels(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("ORDSET_EXTRA_LABELS: %q is not key=value", kv)
		}
		out[k] = v
	}
	return out, nil
}
