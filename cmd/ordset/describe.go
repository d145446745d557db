package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
)

func describeCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "describe",
		Usage:     "show a statefulset, pod or service in detail: spec, status, events and why it is waiting",
		ArgsUsage: "SET|POD | service NAME",
		Description: `"service NAME" (or svc NAME, service/NAME) shows a Service: its type, selector, ports with
their SRV names, and the pods its name answers now.

Examples:
   ordset describe redis
   ordset describe redis-1 -n demo
   ordset describe redis -o json
   ordset describe service redis
   ordset describe svc/cache -o yaml`,
		Flags:  nil,
		Action: action(s, runDescribe),
	}
}

func runDescribe(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	if name, ok, err := serviceArg(in.args); ok || err != nil {
		if err != nil {
			return err
		}
		return runDescribeService(ctx, in, s, name, out)
	}
	if len(in.args) != 1 {
		return usageErrorf("describe needs one SET or POD name, or service NAME")
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	d, err := cl.Describe(ctx, ns, in.arg(0))
	if err != nil {
		return err
	}
	if isData(out) {
		return writeData(s.Out, out, d)
	}
	printDescription(s.Out, d, time.Now())
	return nil
}

// serviceArg reads "service NAME", "svc NAME" or "service/NAME" (ok false for anything else).
func serviceArg(args []string) (string, bool, error) {
	isKind := func(k string) bool { return k == "service" || k == "services" || k == "svc" }
	if len(args) == 1 {
		if kind, name, cut := strings.Cut(args[0], "/"); cut && isKind(kind) {
			return name, true, nil
		}
		return "", false, nil
	}
	if len(args) > 0 && isKind(args[0]) {
		if len(args) != 2 {
			return "", true, usageErrorf("describe service needs one NAME")
		}
		return args[1], true, nil
	}
	return "", false, nil
}

// printDescription renders a description as kubectl describe does: the pod's
// own section first when one pod was asked for, then its set.
func printDescription(w io.Writer, d api.Description, now time.Time) {
	s := d.StatefulSet
	kv := describeKV(w)
	if d.Pod != nil {
		printPodDescription(w, d, now)
	}
	kv("Name", s.Name)
	kv("Namespace", s.Namespace)
	st := s.Status
	kv("Replicas", fmt.Sprintf("%d desired | %d total | %d ready | %d available | %d current | %d updated",
		s.Desired, st.Replicas, st.ReadyReplicas, st.AvailableReplicas, st.CurrentReplicas, st.UpdatedReplicas))
	kv("Revisions", fmt.Sprintf("current %s, update %s", orNone(st.CurrentRevision), orNone(st.UpdateRevision)))
	if s.Paused {
		kv("Rollout", "paused (\"ordset rollout resume "+s.Name+"\" resumes it)")
	}
	if d.Spec != nil {
		printSpecDescription(kv, d.Spec)
	}
	if !d.RestartedAt.IsZero() {
		kv("Restarted At", d.RestartedAt.Format(time.RFC3339))
	}
	waiting := s.Waiting
	if waiting == "" && s.Converged() {
		waiting = "<none: converged>"
	}
	kv("Waiting", orNone(waiting))
	if len(d.Revisions) > 0 {
		fmt.Fprintln(w, "Revisions:")
		for _, r := range d.Revisions {
			fmt.Fprintf(w, "  %d  %s  first applied %s\n", r.Number, r.Revision, r.FirstApplied.Format(time.RFC3339))
		}
	}
	if d.Pod == nil && len(s.Pods) > 0 {
		fmt.Fprintln(w, "Pods:")
		for _, p := range s.Pods {
			fmt.Fprintf(w, "  %-16s %-18s ready=%-5t restarts=%d  %s\n", p.Name, p.Status, p.Ready, p.Restarts, orNone(p.IP))
			if p.Reason != "" {
				fmt.Fprintf(w, "  %-16s not ready because: %s\n", "", oneLine(p.Reason, 120))
			}
		}
	}
	fmt.Fprintln(w, "Events:")
	if len(d.Events) == 0 {
		fmt.Fprintln(w, "  <none>")
	}
	for _, e := range d.Events {
		fmt.Fprintf(w, "  %-8s %-8s %-13s %-22s %s\n", age(e.Time, now), e.Type, e.Reason, e.Object, e.Message)
	}
}

// describeKV returns the printer of one "Key:   value" line, the keys aligned.
func describeKV(w io.Writer) func(k, v string) {
	return func(k, v string) { fmt.Fprintf(w, "%-22s %s\n", k+":", v) }
}

// printPodDescription renders the section of the one pod describe was asked for.
func printPodDescription(w io.Writer, d api.Description, now time.Time) {
	kv := describeKV(w)
	p := d.Pod
	kv("Pod", p.Name)
	kv("Namespace", p.Namespace)
	kv("StatefulSet", p.StatefulSet)
	kv("Container", fmt.Sprintf("%s (%s)", p.Container, orNone(identity.ShortID(p.ContainerID))))
	kv("Status", fmt.Sprintf("%s, ready=%t, restarts=%d", p.Status, p.Ready, p.Restarts))
	if p.Reason != "" {
		kv("Not ready because", oneLine(p.Reason, 200))
	}
	kv("IP", orNone(p.IP))
	kv("Revision", orNone(p.Revision))
	kv("Volumes", orNone(strings.Join(p.Volumes, ", ")))
	if !p.StartedAt.IsZero() {
		kv("Started", fmt.Sprintf("%s (%s ago)", p.StartedAt.Format(time.RFC3339), age(p.StartedAt, now)))
	}
	if cs := d.ContainerState; cs != nil {
		kv("Container State", containerState(*cs, now))
	}
	if ls := d.LastState; ls != nil {
		kv("Last State", containerState(*ls, now)+` ("logs -p" shows its output)`)
	}
	fmt.Fprintln(w)
}

// printSpecDescription renders the set's spec fields.
func printSpecDescription(kv func(k, v string), sp *compose.StatefulSet) {
	kv("Image", imagesText(sp))
	kv("Service", sp.ServiceName)
	kv("Pod Management Policy", sp.PodManagementPolicy)
	kv("Update Strategy", updateStrategyText(sp.UpdateStrategy))
	kv("Retention", fmt.Sprintf("whenScaled=%s whenDeleted=%s", sp.PersistentVolumeClaimRetentionPolicy.WhenScaled, sp.PersistentVolumeClaimRetentionPolicy.WhenDeleted))
	var ports, claims []string
	for _, p := range sp.Main().Ports {
		ports = append(ports, fmt.Sprintf("%s %d/%s", p.Name, p.ContainerPort, p.Protocol))
	}
	for _, v := range sp.VolumeClaimTemplates {
		claims = append(claims, v.Name)
	}
	kv("Ports", orNone(strings.Join(ports, ", ")))
	kv("Volume Claims", orNone(strings.Join(claims, ", ")))
}

// updateStrategyText renders an update strategy on one line.
func updateStrategyText(u compose.UpdateStrategy) string {
	if u.Type == compose.OnDelete {
		return u.Type
	}
	return fmt.Sprintf("%s (partition %d, maxUnavailable %s)", u.Type, u.Partition, orDefault(string(u.MaxUnavailable), "1"))
}

// containerState says what the engine knows of a pod's container: running since when, or how
// it ended (exit code, OOM kill, start error) and when.
func containerState(cs api.ContainerState, now time.Time) string {
	if cs.State == "running" {
		return fmt.Sprintf("running since %s", cs.StartedAt.Format(time.RFC3339))
	}
	s := cs.State
	switch {
	case cs.OOMKilled:
		s += fmt.Sprintf(", OOMKilled (exit code %d)", cs.ExitCode)
	case cs.Error != "":
		s += ", error: " + cs.Error
	case cs.State == "exited" || cs.State == "dead":
		s += fmt.Sprintf(", exit code %d", cs.ExitCode)
	}
	if !cs.FinishedAt.IsZero() {
		s += fmt.Sprintf(", finished %s (%s ago)", cs.FinishedAt.Format(time.RFC3339), age(cs.FinishedAt, now))
	}
	return s
}
