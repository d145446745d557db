//go:build integration

package docker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// createDuplicateNetwork creates a network of the given name without Docker's duplicate-name
// check, as two racing creates end up. The Go client forces the check on for API versions
// before 1.44, so the request is posted directly.
func createDuplicateNetwork(ctx context.Context, t *testing.T, cli *client.Client, name string, labels map[string]string) string {
	t.Helper()
	cli.NegotiateAPIVersion(ctx)
	u, err := client.ParseHostURL(cli.DaemonHost())
	if err != nil {
		t.Fatal(err)
	}
	host := "docker" // the client's transport dials the unix socket whatever the host
	if u.Scheme == "tcp" {
		host = u.Host
	}
	body, _ := json.Marshal(map[string]any{"Name": name, "Driver": "bridge", "CheckDuplicate": false, "Labels": labels})
	url := fmt.Sprintf("http://%s/v%s/networks/create", host, cli.ClientVersion())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := cli.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create duplicate network %s: HTTP %d %s (%v)", name, resp.StatusCode, out.Message, err)
	}
	return out.ID
}

// ambiguousNameError runs a container on the network by name and returns Docker's refusal
// (the failure the runtime must avoid); the test fails when Docker accepts the name.
func ambiguousNameError(ctx context.Context, t *testing.T, cli *client.Client, ns, name string) error {
	t.Helper()
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("testapp"), Labels: testenv.Labels()},
		&container.HostConfig{NetworkMode: container.NetworkMode(name)}, nil, nil, ns+"-probe")
	if err != nil {
		return err
	}
	defer cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
		return err
	}
	t.Fatal("fixture: Docker ran a container on an ambiguous network name; the duplicate is not reproduced")
	return nil
}

func namedIDs(ctx context.Context, t *testing.T, cli *client.Client, name string) []string {
	t.Helper()
	list, err := cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range list {
		if n.Name == name {
			ids = append(ids, n.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// A daemon killed mid-create can leave two owned networks of one name (and the name is then
// ambiguous to Docker). EnsureNetwork keeps the oldest, removes the empty duplicate, leaves a
// foreign network of the name alone, and containers are created on the kept one.
func TestEnsureNetworkSettlesDuplicates(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	cli := testenv.Docker(t)
	ns := testenv.UniqueNamespace(t, "netdup")
	name := identity.NetworkName(ns)
	owned := maps.Clone(identity.NetworkLabels(ns))
	maps.Copy(owned, testenv.Labels())

	oldest := createDuplicateNetwork(ctx, t, cli, name, owned)
	dup := createDuplicateNetwork(ctx, t, cli, name, owned)
	foreign := createDuplicateNetwork(ctx, t, cli, name, testenv.Labels())
	if got := namedIDs(ctx, t, cli, name); len(got) != 3 {
		t.Fatalf("fixture: %d networks named %s, want 3", len(got), name)
	}
	t.Logf("Docker on the ambiguous name: %v", ambiguousNameError(ctx, t, cli, ns, name))

	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if nw.ID != oldest || nw.Name != name || nw.Gateway == "" {
		t.Fatalf("EnsureNetwork = %+v, want the oldest owned network %s", nw, oldest)
	}
	want := []string{oldest, foreign}
	slices.Sort(want)
	if got := namedIDs(ctx, t, cli, name); !slices.Equal(got, want) {
		t.Fatalf("networks named %s after EnsureNetwork = %v, want %v (empty duplicate %s removed, foreign kept)", name, got, want, dup)
	}
	again, err := rt.EnsureNetwork(ctx, ns)
	if err != nil || again != nw {
		t.Fatalf("second EnsureNetwork = %+v, %v; want %+v", again, err, nw)
	}
	all, err := rt.ListNetworks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := slices.IndexFunc(all, func(n orchestrator.Network) bool { return n.Name == name }); n < 0 || all[n] != nw {
		t.Fatalf("ListNetworks = %+v, want %+v among them", all, nw)
	}

	id, err := rt.CreateContainer(ctx, podSpec(ns, nw, "web", 0))
	if err != nil {
		t.Fatalf("create container on the kept network (the name is still ambiguous to Docker): %v", err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	c := waitState(t, rt, ns, id, orchestrator.StateRunning)
	if c.NetworkMode != name || c.IP == "" || c.Detached {
		t.Fatalf("container on the kept network: mode %q, IP %q, detached %v", c.NetworkMode, c.IP, c.Detached)
	}
	ci, err := cli.ContainerInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ep := ci.NetworkSettings.Networks[name]; ep == nil || ep.NetworkID != oldest {
		t.Fatalf("container endpoints %+v, want one on %s", ci.NetworkSettings.Networks, oldest)
	}
	if err := rt.RemoveContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveNetwork(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if got := namedIDs(ctx, t, cli, name); !slices.Equal(got, []string{foreign}) {
		t.Fatalf("networks named %s after RemoveNetwork = %v, want only the foreign %s", name, got, foreign)
	}
}
