// Package k8s proves ordset's export against a real Kubernetes control plane: etcd,
// kube-apiserver, kube-controller-manager and kube-scheduler built from the Go module proxy,
// with kwok simulating the node (no kubelet can run on the test machines). The tests carry
// the build tag k8s and run through `make test-k8s`, which builds and caches the binaries.
package k8s
