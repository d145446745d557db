package compose

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// podTemplate is the part of a set that shapes each pod. Its JSON encoding is
// the input of Revision; adding a field here changes every revision (and so
// rolls every set once), which is why the list is explicit and short.
type podTemplate struct {
	ServiceName                   string                `json:"serviceName"`
	Image                         string                `json:"image"`
	ImagePullPolicy               string                `json:"imagePullPolicy"`
	Command                       []string              `json:"command"`
	Args                          []string              `json:"args"`
	WorkingDir                    string                `json:"workingDir"`
	User                          string                `json:"user"`
	Env                           EnvList               `json:"env"`
	Ports                         []Port                `json:"ports"`
	ReadinessProbe                *Probe                `json:"readinessProbe"`
	LivenessProbe                 *Probe                `json:"livenessProbe"`
	StartupProbe                  *Probe                `json:"startupProbe"`
	Resources                     Resources             `json:"resources"`
	TerminationGracePeriodSeconds *int64                `json:"terminationGracePeriodSeconds"`
	VolumeMounts                  []VolumeMount         `json:"volumeMounts"`
	InitContainers                []InitContainer       `json:"initContainers"`
	VolumeClaimTemplates          []VolumeClaimTemplate `json:"volumeClaimTemplates"`
}

// Revision is the template hash of a loaded set: the first 10 hex characters
// of the SHA-256 of the canonical JSON (struct field order, sorted map keys,
// env in document order, probe ports as numbers) of its pod-shaping fields:
// serviceName, image, imagePullPolicy, command, args, workingDir, user, env,
// ports, probes, resources, terminationGracePeriodSeconds, volumeMounts,
// initContainers and volumeClaimTemplates.
//
// It deliberately leaves out replicas, ordinals, updateStrategy (and its
// partition), persistentVolumeClaimRetentionPolicy, dependsOn,
// podManagementPolicy, minReadySeconds and publishNotReadyAddresses: changing
// those never recreates a pod. Pods are labelled with it; a pod whose label
// differs from the set's current Revision is out of date and gets rolled.
// Call it on a set returned by Load so defaults are part of the hash.
func Revision(s *StatefulSet) string {
	t := podTemplate{
		ServiceName: s.ServiceName, Image: s.Image, ImagePullPolicy: s.ImagePullPolicy,
		Command: s.Command, Args: s.Args, WorkingDir: s.WorkingDir, User: s.User, Env: s.Env,
		Ports: s.Ports, ReadinessProbe: s.ReadinessProbe, LivenessProbe: s.LivenessProbe,
		StartupProbe: s.StartupProbe, Resources: s.Resources,
		TerminationGracePeriodSeconds: s.TerminationGracePeriodSeconds,
		VolumeMounts:                  s.VolumeMounts, InitContainers: s.InitContainers,
		VolumeClaimTemplates: dockerClaims(s.VolumeClaimTemplates),
	}
	b, err := json.Marshal(t)
	if err != nil {
		// Only unsupported types fail to encode, and podTemplate has none.
		panic("compose: encode pod template: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:10]
}

// dockerClaims drops the claim fields only an export uses (size, storage class): a Docker
// volume has neither, so changing them must not recreate pods.
func dockerClaims(ts []VolumeClaimTemplate) []VolumeClaimTemplate {
	out := make([]VolumeClaimTemplate, len(ts))
	for i, t := range ts {
		t.Size, t.StorageClassName = "", ""
		out[i] = t
	}
	if ts == nil {
		return nil
	}
	return out
}
