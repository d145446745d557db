package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func rolloutCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "rollout",
		Usage: "manage a statefulset's rollout: status, history, undo, pause, resume, restart",
		Description: `Examples:
   ordset rollout status redis
   ordset rollout history redis
   ordset rollout undo redis --to-revision 1`,
		Subcommands: []*cli.Command{
			{
				Name:      "status",
				Usage:     "wait until a set's rollout is complete, as kubectl's status viewer decides it",
				ArgsUsage: "SET",
				Description: `Complete means: every desired pod is Ready, a scale-down is done, and at least
replicas - partition pods run the update revision ("partitioned roll out complete"), so a
canary with a partition finishes. A paused set is complete once its pods are Ready; with
OnDelete once every pod is Ready.

Examples:
   ordset rollout status redis
   ordset rollout status redis -n demo --timeout 1m
   ordset rollout status redis -o json     # the set's status once rolled out`,
				Flags:  []cli.Flag{timeoutFlag, progressFlag},
				Action: action(s, runRolloutStatus),
			},
			{
				Name:      "history",
				Usage:     "list a set's revisions, or show one revision's pod template",
				ArgsUsage: "SET",
				Description: `Revisions are numbered as Kubernetes numbers ControllerRevisions: a rollback to an
earlier template reuses its revision under the next number. The history keeps
revisionHistoryLimit revisions (default 10) and always the current one.

Examples:
   ordset rollout history redis
   ordset rollout history redis --revision 2`,
				Flags:  []cli.Flag{revisionFlag},
				Action: action(s, runRolloutHistory),
			},
			{
				Name:      "undo",
				Usage:     "roll a set back to the previous revision's pod template (or --to-revision N)",
				ArgsUsage: "SET",
				Description: `Only the pod template goes back; replicas, partition and the other policies stay. The
set then rolls like after any template change. A later "ordset up" applies the file's
template again.

Examples:
   ordset rollout undo redis
   ordset rollout undo redis --to-revision 1 --no-wait`,
				Flags:  []cli.Flag{toRevisionFlag, noWaitFlag, timeoutFlag, progressFlag},
				Action: action(s, runRolloutUndo),
			},
			{
				Name:      "pause",
				Usage:     "hold a set's pods at their revisions: it still creates and scales, but does not roll",
				ArgsUsage: "SET",
				Description: `While paused, new pods (scale-up, replacements) get the current revision and no pod is
recreated for a template change. "ordset rollout resume" rolls on.

Examples:
   ordset rollout pause redis
   ordset rollout pause redis -n demo`,
				Action: action(s, runRolloutPause(true)),
			},
			{
				Name:      "resume",
				Usage:     "let a paused set roll again",
				ArgsUsage: "SET",
				Description: `Examples:
   ordset rollout resume redis
   ordset rollout resume redis && ordset rollout status redis`,
				Action: action(s, runRolloutPause(false)),
			},
			{
				Name:      "restart",
				Usage:     "recreate a set's pods in order (highest ordinal first), each Ready before the next",
				ArgsUsage: "SET",
				Description: `Changes the pod template (an ` + "`ORDSET_RESTARTED_AT`" + ` environment variable, as kubectl
bumps an annotation), so the set rolls like after an image change and the history gains a
revision. A later "ordset up" with an unchanged file keeps the marker and does not roll again.

Examples:
   ordset rollout restart redis
   ordset rollout restart redis --no-wait`,
				Flags:  []cli.Flag{noWaitFlag, timeoutFlag, progressFlag},
				Action: action(s, runRolloutRestart),
			},
		},
	}
}

var (
	revisionFlag   = &cli.IntFlag{Name: "revision", Usage: "show the pod template of this revision"}
	toRevisionFlag = &cli.IntFlag{Name: "to-revision", Usage: "the revision to roll back to (default: the previous one)"}
)

// rolloutTarget checks the one SET argument and connects.
func rolloutTarget(ctx context.Context, in invocation, s *streams, verb string) (string, string, *api.Client, error) {
	if len(in.args) != 1 {
		return "", "", nil, usageErrorf("rollout %s needs one SET", verb)
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	return in.arg(0), ns, cl, err
}

// describeSet describes a set, refusing a pod name (describe knows both).
func describeSet(ctx context.Context, cl *api.Client, ns, set, verb string) (api.Description, error) {
	d, err := cl.Describe(ctx, ns, set)
	if err != nil {
		return d, err
	}
	if d.Pod != nil {
		return d, fmt.Errorf("%s is a pod of statefulset %s: run \"ordset rollout %s %s\"", set, d.StatefulSet.Name, verb, d.StatefulSet.Name)
	}
	return d, nil
}

func runRolloutStatus(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	set, ns, cl, err := rolloutTarget(ctx, in, s, "status")
	if err != nil {
		return err
	}
	if _, err := describeSet(ctx, cl, ns, set, "status"); err != nil {
		return err
	}
	if err := watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s)); err != nil {
		return err
	}
	d, err := describeSet(ctx, cl, ns, set, "status")
	if err != nil {
		return err
	}
	if isData(out) {
		return writeData(s.Out, out, d.StatefulSet)
	}
	msg, _ := d.StatefulSet.RolloutStatus()
	fmt.Fprintf(s.Out, "statefulset %s/%s: %s\n", ns, set, msg)
	return nil
}

func runRolloutRestart(ctx context.Context, in invocation, s *streams) error {
	set, ns, cl, err := rolloutTarget(ctx, in, s, "restart")
	if err != nil {
		return err
	}
	if err := cl.Restart(ctx, api.RestartRequest{Namespace: ns, Set: set}); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "statefulset %s/%s restarted\n", ns, set)
	if in.Bool("no-wait") {
		return nil
	}
	return watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s))
}
