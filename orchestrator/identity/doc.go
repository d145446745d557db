// Package identity owns every name and label of every object ordset creates: pod, container,
// init container, retired container, network and volume names, the DNS names derived from
// them, and the labels that let a restarted daemon find (and prove it owns) each object.
// It is a leaf: the controller, the Docker adapter, the volume rules, the loader's checks,
// the DNS server and the CLI all import it, and it imports nothing of ordset's, so no name
// is built twice and no package cycle can form around it.
package identity
