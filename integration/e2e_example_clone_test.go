//go:build integration

package integration_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// TestExampleMariaDBClone runs examples/mariadb-clone with the offline image and checks, through
// MariaDB itself: each replica was cloned from the previous ordinal by its init container; the
// backup sidecar reached the server on 127.0.0.1; a member added later gets data that exists only
// on the previous ordinal (written there without a binary log, so replication cannot have brought
// it), and then replicates from the primary from the clone's GTID position without replaying it;
// a replica whose server crashed resumes replication; a deleted pod keeps its data, not re-cloned.
func TestExampleMariaDBClone(t *testing.T) {
	c := startCluster(t, "mariadb-clone", []string{"mariadb"}, map[string]string{"MARIADB_IMAGE": testenv.Image("mariadb")})
	c.up()
	query := func(pod, sql string) (string, error) {
		out, err := c.ordset(time.Minute, "exec", pod, "-n", c.ns, "-c", "mariadb", "--", "mariadb", "-N", "-B", "-e", sql)
		return strings.TrimSpace(out), err
	}
	logs := func(pod, container string) string {
		out, err := c.ordset(time.Minute, "logs", pod, "-n", c.ns, "-c", container)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	count := func(pod, table string) func() (string, error) {
		return func() (string, error) { return query(pod, "SELECT COUNT(*) FROM shop."+table) }
	}

	// The role follows the ordinal; the clone init container copied from the previous ordinal.
	for i, pod := range []string{"mariadb-0", "mariadb-1", "mariadb-2"} {
		want := fmt.Sprintf("%d\t%d", 100+i, min(i, 1))
		if got, err := query(pod, "SELECT @@server_id, @@read_only"); err != nil || got != want {
			t.Fatalf("%s server_id/read_only = %q (%v), want %q", pod, got, err, want)
		}
		clone := logs(pod, "clone-mariadb")
		wantClone := "nothing to clone"
		if i > 0 {
			wantClone = fmt.Sprintf("from mariadb-%d.mariadb", i-1)
		}
		if !strings.Contains(clone, wantClone) {
			t.Errorf("%s clone-mariadb log lacks %q:\n%s", pod, wantClone, clone)
		}
		// The backup user exists only for host 127.0.0.1: this line proves the sidecar's
		// connection reached the server container over the pod's loopback.
		if side := logs(pod, "backup"); !strings.Contains(side, "reached the server on 127.0.0.1:3306 as backup@127.0.0.1") {
			t.Errorf("%s backup sidecar log:\n%s", pod, side)
		}
	}

	// Writes on the primary replicate to the last replica.
	if _, err := query("mariadb-0", `CREATE DATABASE shop; USE shop;
		CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(40));
		INSERT INTO orders (item) SELECT CONCAT('item-', seq) FROM seq_1_to_100;`); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "100 rows on mariadb-2", equal("100", count("mariadb-2", "orders")))

	// A table only mariadb-2 has (no binary log: nothing can replicate it). mariadb-3 can only
	// get it by cloning mariadb-2.
	if _, err := query("mariadb-2", `SET SESSION sql_log_bin = 0;
		CREATE TABLE shop.marker (note VARCHAR(40)); INSERT INTO shop.marker VALUES ('only-on-mariadb-2');`); err != nil {
		t.Fatal(err)
	}
	c.mustOrdset("scale", "mariadb", "4")
	if got, err := query("mariadb-3", "SELECT note FROM shop.marker"); err != nil || got != "only-on-mariadb-2" {
		t.Fatalf("mariadb-3 shop.marker = %q (%v), want the row written only on mariadb-2", got, err)
	}
	if _, err := query("mariadb-1", "SELECT 1 FROM shop.marker"); err == nil {
		t.Fatal("mariadb-1 has shop.marker: the row was not private to mariadb-2, so the check above proves nothing")
	}

	// The clone's GTID position is right: new writes arrive once, the cloned ones are not replayed
	// (a replay would stop replication with a duplicate key).
	if _, err := query("mariadb-0", "INSERT INTO shop.orders (item) VALUES ('after-the-clone')"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "101 rows on mariadb-3", equal("101", count("mariadb-3", "orders")))
	replicating := func(pod string) func() (string, error) {
		return func() (string, error) {
			out, err := c.ordset(time.Minute, "exec", pod, "-n", c.ns, "-c", "mariadb", "--", "mariadb", "-e", "SHOW SLAVE STATUS\\G")
			if err != nil {
				return "", err
			}
			f := map[string]string{}
			for _, l := range strings.Split(out, "\n") {
				k, v, _ := strings.Cut(strings.TrimSpace(l), ": ")
				f[k] = v
			}
			return f["Master_Host"] + " " + f["Slave_IO_Running"] + " " + f["Slave_SQL_Running"], nil
		}
	}
	eventually(t, 30*time.Second, "mariadb-3 replicating from mariadb-0", equal("mariadb-0.mariadb Yes Yes", replicating("mariadb-3")))

	// A replica's server container crashes and is restarted alone (the sidecar keeps running):
	// the server resumes replication by itself and catches up with what it missed.
	server := identity.AppContainerName(c.ns, "mariadb", 1, "mariadb")
	if out, err := exec.Command("docker", "kill", server).CombinedOutput(); err != nil {
		t.Fatalf("docker kill %s: %v: %s", server, err, out)
	}
	if _, err := query("mariadb-0", "INSERT INTO shop.orders (item) VALUES ('while-mariadb-1-was-down')"); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "mariadb-1 caught up after its server's restart", equal("102", count("mariadb-1", "orders")))
	eventually(t, 30*time.Second, "mariadb-1 replicating after the restart", equal("mariadb-0.mariadb Yes Yes", replicating("mariadb-1")))

	// A deleted pod comes back on its own volume and is not cloned again: mariadb-2 still has the
	// table only it ever had (mariadb-1, its clone source, does not).
	c.mustOrdset("delete", "pod", "mariadb-2", "--wait")
	eventually(t, 3*time.Minute, "mariadb-2 back with its own data", equal("only-on-mariadb-2", func() (string, error) {
		return query("mariadb-2", "SELECT note FROM shop.marker")
	}))
	if clone := logs("mariadb-2", "clone-mariadb"); !strings.Contains(clone, "already present, not cloning") {
		t.Errorf("recreated mariadb-2 clone-mariadb log:\n%s", clone)
	}
	eventually(t, time.Minute, "102 rows on the recreated mariadb-2", equal("102", count("mariadb-2", "orders")))
}
