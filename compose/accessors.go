package compose

import "time"

// The accessors below read a set's fields with Normalize's defaults, so a consumer never
// works a default out again. A set that went through Load or Normalize has every field set
// and they return it as is; one built by hand (tests, tools) gets the very same defaults.

// GracePeriod is terminationGracePeriodSeconds as a duration.
func (s *StatefulSet) GracePeriod() time.Duration {
	g := DefaultTerminationGracePeriodSeconds
	if s.TerminationGracePeriodSeconds != nil {
		g = *s.TerminationGracePeriodSeconds
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
// container init; an init container naming no image runs the set's, with the set's policy.
func (s *StatefulSet) ImageOf(init int) (image, policy string) {
	image, policy = s.Image, s.ImagePullPolicy
	if init >= 0 && init < len(s.InitContainers) && s.InitContainers[init].Image != "" {
		image, policy = s.InitContainers[init].Image, s.InitContainers[init].ImagePullPolicy
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
