package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func psCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "ps",
		Usage: "list pods",
		Description: `Lists the pods of a namespace (or every namespace with -A): name, readiness, status,
restarts, age, IP and volumes. -o json prints an array of objects with name, namespace,
statefulset, ordinal, container, ip, ready, status, restarts, revision, volumes and ports.

Examples:
   ordset ps
   ordset ps -A -o wide
   ordset ps -n demo -o json | jq '.[] | select(.ready) | .name'`,
		Flags:  []cli.Flag{allNamespacesFlag},
		Action: func(c *cli.Context) error { return runPs(c, env) },
	}
}

func runPs(c *cli.Context, env *cliEnv) error {
	out, err := outputFormat(c, "table", "table", "wide", "json")
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(c, env)
	if err != nil {
		return err
	}
	pods, err := cl.Pods(c.Context, ns)
	if err != nil {
		return err
	}
	w := c.App.Writer
	if out == "json" {
		if pods == nil {
			pods = []api.Pod{}
		}
		return writeJSON(w, pods)
	}
	if len(pods) == 0 {
		where := "namespace " + ns
		if ns == "" {
			where = "any namespace"
		}
		fmt.Fprintf(c.App.ErrWriter, "No pods found in %s.\n", where)
		return nil
	}
	header := []string{"POD", "READY", "STATUS", "RESTARTS", "AGE", "IP", "VOLUMES"}
	if ns == "" {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if out == "wide" {
		header = append(header, "CONTAINER", "REVISION", "PORTS")
	}
	now := time.Now()
	var rows [][]string
	for _, p := range pods {
		ready := "0/1"
		if p.Ready {
			ready = "1/1"
		}
		started := p.StartedAt
		if started.IsZero() {
			started = p.CreatedAt
		}
		row := []string{p.Name, ready, orNone(string(p.Status)), strconv.Itoa(p.Restarts), age(started, now), orNone(p.IP), orNone(strings.Join(p.Volumes, ","))}
		if ns == "" {
			row = append([]string{p.Namespace}, row...)
		}
		if out == "wide" {
			var ports []string
			for _, pt := range p.Ports {
				s := fmt.Sprintf("%d/%s", pt.ContainerPort, strings.ToLower(pt.Protocol))
				if pt.Name != "" {
					s = pt.Name + ":" + s
				}
				ports = append(ports, s)
			}
			row = append(row, p.Container, orNone(p.Revision), orNone(strings.Join(ports, ",")))
		}
		rows = append(rows, row)
	}
	return table(w, header, rows)
}
