// Package dnsserver is the embedded DNS server that answers Kubernetes-style names for pods and
// headless services from an immutable snapshot, and forwards everything else upstream.
package dnsserver
