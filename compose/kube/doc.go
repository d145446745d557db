// Package kube translates between the ordset spec and Kubernetes manifests: Export writes the
// apps/v1 StatefulSets, headless Services, ConfigMaps and Namespace a real cluster runs with the
// same semantics, and Load reads such manifests (or an ordset file: both are just files) into the
// same normalised spec. Mapping is one small function per pod-model field in each direction,
// so a field added to the model is added here in one place. Whatever has no Kubernetes
// equivalent is kept in an ordset.io/ annotation and reported, never dropped silently.
package kube
