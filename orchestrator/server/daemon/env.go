package daemon

import (
	"log/slog"
	"os"

	"github.com/ordset/ordset/orchestrator/docker"
)

// OptionsFromEnv builds the options of a real daemon: the Docker runtime (with
// ORDSET_EXTRA_LABELS and the state directory's owner id on every object it creates), the
// state directory and ORDSET_DNS_ADDR.
func OptionsFromEnv(log *slog.Logger, version string) (Options, error) {
	p, err := DefaultPaths()
	if err != nil {
		return Options{}, err
	}
	extra, err := parseExtraLabels(os.Getenv("ORDSET_EXTRA_LABELS"))
	if err != nil {
		return Options{}, err
	}
	owner, err := LoadOwner(p)
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
