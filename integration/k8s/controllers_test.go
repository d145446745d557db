//go:build k8s

package k8s

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// kwokStages are the stage files kwok needs from its module (its own "fast" set): nodes come
// up Ready and keep their conditions fresh while kwok renews their Lease (the plain heartbeat
// stage is deprecated and, with its jitter, can miss the node monitor's grace period), pods
// become Running and Ready at once and go away when deleted.
var kwokStages = []string{
	"node/fast/node-initialize.yaml",
	"node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
	"pod/fast/pod-ready.yaml",
	"pod/fast/pod-complete.yaml",
	"pod/fast/pod-delete.yaml",
}

// fakeNodeAnnotation marks the one node kwok simulates.
const fakeNodeAnnotation = "kwok.x-k8s.io/node"

// startControllers adds the controller-manager (StatefulSet, PV binder, garbage collector,
// service accounts), the scheduler and kwok, and registers the fake node.
func (c *cluster) startControllers(ctx context.Context, stageDir string) error {
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	if err := c.start("kube-controller-manager", "--kubeconfig="+c.kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", ports[0]),
		"--service-account-private-key-file="+c.path("sa.key"), "--root-ca-file="+c.path("serving.crt"),
		"--use-service-account-credentials=false", "--controllers=*"); err != nil {
		return err
	}
	if err := c.start("kube-scheduler", "--kubeconfig="+c.kubeconfig, "--leader-elect=false",
		"--bind-address=127.0.0.1", fmt.Sprintf("--secure-port=%d", ports[1])); err != nil {
		return err
	}
	var configs []string
	for _, s := range kwokStages {
		configs = append(configs, filepath.Join(stageDir, s))
	}
	if err := c.start("kwok", "--kubeconfig="+c.kubeconfig, "--config="+strings.Join(configs, ","),
		"--manage-all-nodes=false", "--manage-nodes-with-annotation-selector="+fakeNodeAnnotation+"=fake",
		// no kwok server: it would listen on 0.0.0.0 of a shared machine
		"--node-port=0", "--cidr=10.244.0.0/16", "--node-ip=10.0.0.1"); err != nil {
		return err
	}
	_, err = c.kubectl(ctx, []byte(fakeNode), "apply", "-f", "-")
	return err
}

// fakeNode is the node kwok keeps Ready; the scheduler places every pod on it.
const fakeNode = `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
`
