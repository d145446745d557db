package identity

import (
	"strconv"
	"strings"
)

// DefaultZone is the DNS zone pods live in unless the daemon is told otherwise.
const DefaultZone = "cluster.local"

// PodName is the stable identity of one ordinal, e.g. web-1. It is also the pod's hostname.
func PodName(set string, ordinal int) string { return set + "-" + strconv.Itoa(ordinal) }

// ContainerName is the Docker name of a pod's main container. The namespace prefix keeps
// two namespaces with a set of the same name apart on one Docker host.
func ContainerName(namespace, set string, ordinal int) string {
	return namespace + "-" + PodName(set, ordinal)
}

// InitContainerName is the Docker name of one init container of a pod.
func InitContainerName(namespace, set string, ordinal int, init string) string {
	return ContainerName(namespace, set, ordinal) + "-init-" + init
}

// AppContainerName is the Docker name of an app container of a pod that has an
// infrastructure container (which holds ContainerName). The underscore keeps it apart from
// every pod and init container name: set and container names are DNS labels, without one.
func AppContainerName(namespace, set string, ordinal int, container string) string {
	return ContainerName(namespace, set, ordinal) + "_" + container
}

// EmptyDirName is the Docker volume of one pod's emptyDir, e.g. demo_web-1_cache. Its two
// underscores keep it apart from claim volumes (one underscore).
func EmptyDirName(namespace, set string, ordinal int, volume string) string {
	return namespace + "_" + PodName(set, ordinal) + "_" + volume
}

// RetiredName is the name a failed container takes to free its pod's name for the replacement.
// The dot keeps it apart from every pod and init container name (DNS labels have no dot).
func RetiredName(name, id string) string { return name + ".retired-" + ShortID(id) }

// PreviousName is the name a retired container takes once its replacement exists: the pod's
// last terminated container, kept for "logs --previous" until the next crash or the pod's
// removal. Unlike a retired container it never stands in for the pod (its counters are spent).
func PreviousName(name, id string) string { return name + ".previous-" + ShortID(id) }

// ShortID is the 12-character form of a container ID that Docker shows.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// NetworkName is the user-defined bridge network all pods of a namespace share.
func NetworkName(namespace string) string { return "ordset-" + namespace }

// Hostname is what a pod sees as its own short host name; equal to the pod name, like Kubernetes.
func Hostname(set string, ordinal int) string { return PodName(set, ordinal) }

// Domainname is the headless service domain a pod lives in, so `hostname -f` is the pod FQDN.
func Domainname(service, namespace, zone string) string {
	if zone == "" {
		zone = DefaultZone
	}
	return service + "." + namespace + ".svc." + zone
}

// PodFQDN is the stable DNS name of one pod, e.g. web-1.web.demo.svc.cluster.local.
func PodFQDN(set string, ordinal int, service, namespace, zone string) string {
	return PodName(set, ordinal) + "." + Domainname(service, namespace, zone)
}

// ParseOrdinal extracts the ordinal from a pod name of the given set ("web-12", "web" -> 12).
// It rejects names of other sets, signs, and leading zeros so a name maps to one ordinal only.
func ParseOrdinal(pod, set string) (int, bool) {
	rest, ok := strings.CutPrefix(pod, set+"-")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return 0, false
	}
	return n, true
}

// ClaimName is Kubernetes' PVC name for one ordinal's claim, e.g. data-web-1.
func ClaimName(claim, set string, ordinal int) string { return claim + "-" + PodName(set, ordinal) }

// VolumeName is the Docker volume of one ordinal's claim, e.g. demo_data-web-1. The namespace
// prefix with an underscore cannot collide with a claim name (DNS labels have no '_').
func VolumeName(namespace, claim, set string, ordinal int) string {
	return namespace + "_" + ClaimName(claim, set, ordinal)
}
