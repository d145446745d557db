package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// historyRow is one revision as rollout history prints it.
type historyRow struct {
	Revision     int64     `json:"revision" yaml:"revision"`
	Hash         string    `json:"hash" yaml:"hash"`
	Image        string    `json:"image" yaml:"image"`
	FirstApplied time.Time `json:"firstApplied" yaml:"firstApplied"`
	// Role is "current", "update", "current, update" or "".
	Role string `json:"role,omitempty" yaml:"role,omitempty"`
}

func historyRows(d api.Description) []historyRow {
	var rows []historyRow
	for _, r := range d.Revisions {
		row := historyRow{Revision: r.Number, Hash: r.Revision, FirstApplied: r.FirstApplied, Role: revisionRole(d.StatefulSet.Status, r)}
		if r.Spec != nil {
			row.Image = imagesText(r.Spec)
		}
		rows = append(rows, row)
	}
	return rows
}

func revisionRole(st api.SetStatus, r api.Revision) string {
	switch {
	case r.Revision == st.CurrentRevision && r.Revision == st.UpdateRevision:
		return "current, update"
	case r.Revision == st.CurrentRevision:
		return "current"
	case r.Revision == st.UpdateRevision:
		return "update"
	}
	return ""
}

func runRolloutHistory(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table")...)
	if err != nil {
		return err
	}
	set, ns, cl, err := rolloutTarget(ctx, in, s, "history")
	if err != nil {
		return err
	}
	d, err := describeSet(ctx, cl, ns, set, "history")
	if err != nil {
		return err
	}
	if n := int64(in.Int("revision")); n > 0 {
		for _, r := range d.Revisions {
			if r.Number != n {
				continue
			}
			if r.Spec == nil {
				return fmt.Errorf("revision %d of statefulset %s/%s was recorded without its template (by an older ordset)", n, ns, set)
			}
			if isData(out) {
				return writeData(s.Out, out, r)
			}
			fmt.Fprintf(s.Out, "statefulset %s/%s with revision #%d (%s)\n", ns, set, n, r.Revision)
			enc := yaml.NewEncoder(s.Out)
			enc.SetIndent(2)
			if err := enc.Encode(r.Spec); err != nil {
				return fmt.Errorf("render revision %d: %w", n, err)
			}
			return enc.Close()
		}
		return fmt.Errorf("statefulset %s/%s has no revision %d (\"ordset rollout history %s\" lists them)", ns, set, n, set)
	}
	rows := historyRows(d)
	if isData(out) {
		if rows == nil {
			rows = []historyRow{}
		}
		return writeData(s.Out, out, rows)
	}
	fmt.Fprintf(s.Out, "statefulset %s/%s\n", ns, set)
	now := time.Now()
	var table_ [][]string
	for _, r := range rows {
		table_ = append(table_, []string{strconv.FormatInt(r.Revision, 10), r.Hash, orNone(r.Image), age(r.FirstApplied, now), orNone(r.Role)})
	}
	return table(s.Out, []string{"REVISION", "HASH", "IMAGE", "AGE", "ROLE"}, table_)
}

func runRolloutUndo(ctx context.Context, in invocation, s *streams) error {
	set, ns, cl, err := rolloutTarget(ctx, in, s, "undo")
	if err != nil {
		return err
	}
	resp, err := cl.Undo(ctx, api.UndoRequest{Namespace: ns, Set: set, ToRevision: int64(in.Int("to-revision"))})
	if err != nil {
		return err
	}
	if resp.Unchanged {
		fmt.Fprintf(s.Err, "statefulset %s/%s already runs the template of revision %d (%s): skipped rollback\n", ns, set, resp.Revision, resp.Hash)
		return nil
	}
	fmt.Fprintf(s.Err, "statefulset %s/%s rolled back to the template of revision %d, now revision %d (%s)\n", ns, set, resp.From, resp.Revision, resp.Hash)
	if in.Bool("no-wait") {
		return nil
	}
	return watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s))
}

func runRolloutPause(paused bool) func(context.Context, invocation, *streams) error {
	verb := "resume"
	if paused {
		verb = "pause"
	}
	return func(ctx context.Context, in invocation, s *streams) error {
		set, ns, cl, err := rolloutTarget(ctx, in, s, verb)
		if err != nil {
			return err
		}
		changed, err := cl.Pause(ctx, api.PauseRequest{Namespace: ns, Set: set, Paused: paused})
		if err != nil {
			return err
		}
		state := map[bool]string{true: "paused", false: "resumed"}[paused]
		if !changed {
			state = "already " + map[bool]string{true: "paused", false: "running (not paused)"}[paused]
		}
		fmt.Fprintf(s.Out, "statefulset %s/%s %s\n", ns, set, state)
		return nil
	}
}
