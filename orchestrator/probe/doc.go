// Package probe runs Kubernetes-style readiness, liveness and startup probes (exec, tcpSocket,
// httpGet) the way a kubelet does, but probing fast during start-up so a pod is seen Ready within
// milliseconds of the application, not one Docker health interval later.
package probe
