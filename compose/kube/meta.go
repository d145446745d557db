package kube

import "github.com/ordset/ordset/compose"

// Labels Kubernetes recommends (app.kubernetes.io/...), written on every exported object.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	managedBy      = "ordset"
)

// Annotations keep ordset settings that have no Kubernetes field, so an export read back by
// ordset gives the original spec. Each value is JSON (or a plain list for depends-on).
const (
	AnnotationDependsOn     = "ordset.io/depends-on"
	AnnotationHostPorts     = "ordset.io/host-ports"
	AnnotationVolumeDrivers = "ordset.io/volume-drivers"
	AnnotationHostPaths     = "ordset.io/host-paths"
	AnnotationUsers         = "ordset.io/users"
	// AnnotationTemplateLabels lists the selector label keys the template had itself, which
	// an import keeps (it drops the ones only the export added).
	AnnotationTemplateLabels = "ordset.io/template-labels"
)

// podIndexLabel is set by the StatefulSet controller on each pod (Kubernetes 1.28+); ordset's
// POD_ORDINAL maps to a fieldRef on it.
const podIndexLabel = "apps.kubernetes.io/pod-index"

// Identity variables ordset injects into every container, and their Kubernetes fieldRefs.
var identityEnv = []struct{ name, fieldPath string }{
	{"POD_NAME", "metadata.name"},
	{"POD_NAMESPACE", "metadata.namespace"},
	{"POD_ORDINAL", "metadata.labels['" + podIndexLabel + "']"},
}

// Warning is one thing an export or import could not carry over as is.
type Warning struct {
	Object  string // kind/name, e.g. StatefulSet/redis, or file:line for imports
	Message string
	at      compose.Problem // where, for ordering import warnings
}

func (w Warning) String() string { return w.Object + ": " + w.Message }

// Problem is the warning as a located problem (file:line:col, field path), for --strict.
func (w Warning) Problem() compose.Problem {
	if w.at.File == "" && w.at.Line == 0 {
		return compose.Problem{Path: w.Object, Message: w.Message}
	}
	return w.at
}
