// Command bench measures ordset's StatefulSet engine side by side with its peers on the local
// Docker engine, in one run, with the same image and the same readiness check:
//
//   - baseline: baseline.sh, the docker CLI alone (volume create, run, poll /ready every 10 ms);
//   - compose: docker-compose with a depends_on service_healthy chain (healthcheck interval 1 s);
//   - api: the same steps as baseline over the Engine API from Go (no process per command);
//   - ordset-up: `ordset up -f FILE` against a private, already running daemon (the user's path);
//   - ordset: the orchestrator.Manager over the Docker runtime in process (the engine alone).
//
// It reports wall times (median of several runs) and ratios, because absolute times depend on
// the machine while ratios say whether ordset's ordering costs more than doing it by hand.
// It also measures self-healing: the time from `docker kill` to Ready again, ordset against
// Docker's own --restart always. Every object carries io.ordset.test.object=1 and is removed at the end.
package main
