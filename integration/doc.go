// Package integration holds the end-to-end tests (build tag integration) that run the built
// ordset binary against a real Docker engine: the real-cluster examples with the offline
// images, checked through the applications themselves. Shared fixtures live in testenv, the
// image recipes in images/.
package integration
