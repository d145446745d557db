package daemon

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// Services implements api.Backend: every set's own headless Service and the namespace's
// Services that select pods by label, each with the pods its name answers now.
func (d *Daemon) Services(ctx context.Context, namespace string) ([]api.Service, error) {
	if namespace != "" {
		if errs := validation.IsDNS1123Label(namespace); len(errs) > 0 {
			return nil, api.Invalidf("namespace %q: %s", namespace, strings.Join(errs, "; "))
		}
	}
	stored, err := d.store.List(namespace)
	if err != nil {
		return nil, err
	}
	sets, err := d.StatefulSets(ctx, namespace)
	if err != nil {
		return nil, err
	}
	namespaces := []string{namespace}
	if namespace == "" {
		namespaces = d.objects.namespaces()
	}
	others := map[string]map[string]*compose.Service{}
	for _, ns := range namespaces {
		others[ns] = d.objects.services(ns)
	}
	return serviceList(stored, sets, others), nil
}

// serviceList builds the Services from the stored sets (their specs), the sets' live pods and
// each namespace's other Services; sorted by namespace and name. A decision without I/O.
func serviceList(stored []store.Set, sets []api.StatefulSet, others map[string]map[string]*compose.Service) []api.Service {
	pods := map[string][]api.Pod{}
	for _, s := range sets {
		pods[s.Namespace+"/"+s.Name] = s.Pods
	}
	var out []api.Service
	own := map[string]int{} // namespace/service -> index in out
	for _, rec := range stored {
		if rec.Spec == nil || rec.Deleting != nil {
			continue
		}
		s := rec.Spec
		key := rec.Namespace + "/" + s.Service()
		if _, ok := own[key]; !ok {
			own[key] = len(out)
			out = append(out, api.Service{Namespace: rec.Namespace, Name: s.Service(), Type: "Headless", StatefulSet: rec.Name,
				Selector: s.Template.Metadata.Labels, Ports: s.OwnServicePorts(), PublishNotReadyAddresses: s.PublishNotReadyAddresses,
				CreatedAt: rec.CreatedAt, Endpoints: []api.ServiceEndpoint{}})
		}
		sv := &out[own[key]]
		for _, p := range pods[rec.Namespace+"/"+rec.Name] {
			sv.Endpoints = appendEndpoint(sv.Endpoints, p, sv.Ports, compose.PodPorts(s), sv.PublishNotReadyAddresses)
		}
	}
	for _, ns := range slices.Sorted(maps.Keys(others)) {
		for _, name := range slices.Sorted(maps.Keys(others[ns])) {
			out = append(out, otherService(ns, name, others[ns][name], stored, pods))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// otherService is a Service selecting pods by label, over the pods of any set of its namespace.
func otherService(ns, name string, sv *compose.Service, stored []store.Set, pods map[string][]api.Pod) api.Service {
	typ := "ClusterIP"
	if sv.Headless {
		typ = "Headless"
	}
	out := api.Service{Namespace: ns, Name: name, Type: typ, Selector: sv.Selector, Ports: sv.Ports,
		PublishNotReadyAddresses: sv.PublishNotReadyAddresses, Endpoints: []api.ServiceEndpoint{}}
	for _, rec := range stored {
		if rec.Namespace != ns || rec.Spec == nil || rec.Deleting != nil {
			continue
		}
		for _, p := range pods[ns+"/"+rec.Name] {
			if compose.SelectsPod(sv.Selector, rec.Spec.Template.Metadata.Labels, p.Name, p.Ordinal) {
				out.Endpoints = appendEndpoint(out.Endpoints, p, sv.Ports, compose.PodPorts(rec.Spec), sv.PublishNotReadyAddresses)
			}
		}
	}
	return out
}

// appendEndpoint adds the pod when the name answers it (an address, and Ready unless
// publishNotReady), with each service port resolved against the pod's container ports.
func appendEndpoint(eps []api.ServiceEndpoint, p api.Pod, ports []compose.ServicePort, podPorts []compose.Port, publishNotReady bool) []api.ServiceEndpoint {
	if p.IP == "" || (!p.Ready && !publishNotReady) {
		return eps
	}
	ep := api.ServiceEndpoint{Pod: p.Name, IP: p.IP, Ready: p.Ready}
	for _, sp := range ports {
		if n, ok := compose.TargetPortOf(sp, podPorts); ok {
			if ep.Ports == nil {
				ep.Ports = map[string]int{}
			}
			ep.Ports[sp.Name] = n
		}
	}
	return append(eps, ep)
}
