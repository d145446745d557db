package compose

import (
	"fmt"
	"strings"
	"time"
)

// The accessors below read a set's fields with Normalize's defaults, so a consumer never
// works a default out again. A set that went through Load or Normalize has every field set
// and they return it as is; one built by hand (tests, tools) gets the very same defaults.

// GracePeriod is terminationGracePeriodSeconds as a duration.
func (s *StatefulSet) GracePeriod() time.Duration {
	g := DefaultTerminationGracePeriodSeconds
	if p := s.Template.Spec.TerminationGracePeriodSeconds; p != nil {
		g = *p
	}
	return time.Duration(g) * time.Second
}

// Service is the headless service the pods live in: serviceName, or the set's name.
func (s *StatefulSet) Service() string {
	if s.ServiceName == "" {
		return s.Name
	}
	return s.ServiceName
}

// ImageOf returns the image and pull policy of the main container (init < 0) or of init
// container init; an init container naming no image runs the main one's, with its policy.
func (s *StatefulSet) ImageOf(init int) (image, policy string) {
	main, inits := s.Main(), s.Template.Spec.InitContainers
	image, policy = main.Image, main.ImagePullPolicy
	if init >= 0 && init < len(inits) && inits[init].Image != "" {
		image, policy = inits[init].Image, inits[init].ImagePullPolicy
	}
	if policy == "" {
		policy = defaultPullPolicy(image)
	}
	return image, policy
}

// Defaulted returns a copy of the probe with every unset field defaulted, as Normalize does
// in place (named ports stay unresolved: that needs the set's ports).
func (p Probe) Defaulted() Probe {
	defaultProbe(&p, nil)
	return p
}

// OwnServicePorts are the ports of the set's own headless Service: servicePorts as written,
// else one per container port, named as the container names it (an unnamed one among several
// gets <protocol>-<port>, since a Service with several ports needs every one named), which
// gives the same SRV records as the containers' names.
func (s *StatefulSet) OwnServicePorts() []ServicePort {
	if len(s.ServicePorts) > 0 {
		return s.ServicePorts
	}
	var ports []Port
	for _, c := range s.Template.Spec.Containers {
		ports = append(ports, c.Ports...)
	}
	var out []ServicePort
	for _, pt := range ports {
		name := pt.Name
		if name == "" && len(ports) > 1 {
			name = fmt.Sprintf("%s-%d", strings.ToLower(pt.Protocol), pt.ContainerPort)
		}
		out = append(out, ServicePort{Name: name, Port: pt.ContainerPort, Protocol: pt.Protocol,
			TargetPort: PortRef{Number: pt.ContainerPort}})
	}
	return out
}
