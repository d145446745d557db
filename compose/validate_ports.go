package compose

import (
	"fmt"
	"strings"
)

func (c *checker) ports(ports []Port, path string) {
	names := map[string]int{}
	numbers := map[string]int{}
	for i, pt := range ports {
		pp := fmt.Sprintf("%s.ports[%d]", path, i)
		validPort := pt.ContainerPort >= 1 && pt.ContainerPort <= 65535
		if !validPort {
			c.add(pp+".containerPort", "must be between 1 and 65535, got %d", pt.ContainerPort)
		}
		c.word(pp+".protocol", pt.Protocol, "TCP", "UDP", "SCTP")
		if pt.Name != "" {
			if m := portNameProblem(pt.Name); m != "" {
				c.add(pp+".name", "%s", m)
			} else if first, dup := names[pt.Name]; dup {
				c.add(pp+".name", "duplicate port name %q (also ports[%d])", pt.Name, first)
			} else {
				names[pt.Name] = i
			}
		}
		key := fmt.Sprintf("%d/%s", pt.ContainerPort, pt.Protocol)
		if first, dup := numbers[key]; dup && validPort {
			c.add(pp+".containerPort", "duplicate containerPort %d/%s (also ports[%d])", pt.ContainerPort, pt.Protocol, first)
		} else {
			numbers[key] = i
		}
		if pt.HostPort != 0 {
			if !validIP(pt.HostIP) {
				c.add(pp+".hostIP", "must be an IP address, got %q", pt.HostIP)
			}
		}
	}
}

func (c *checker) probe(pr *Probe, path string, successMustBeOne bool) {
	if pr == nil {
		return
	}
	var handlers []string
	if pr.Exec != nil {
		handlers = append(handlers, "exec")
		if len(pr.Exec.Command) == 0 {
			c.add(path+".exec.command", "is required")
		}
	}
	if pr.TCPSocket != nil {
		handlers = append(handlers, "tcpSocket")
		c.probePort(pr.TCPSocket.Port, path+".tcpSocket.port")
	}
	if h := pr.HTTPGet; h != nil {
		handlers = append(handlers, "httpGet")
		c.probePort(h.Port, path+".httpGet.port")
		c.word(path+".httpGet.scheme", h.Scheme, "HTTP", "HTTPS")
		if !strings.HasPrefix(h.Path, "/") {
			c.add(path+".httpGet.path", "must start with '/', got %q", h.Path)
		}
		for i, hd := range h.HTTPHeaders {
			if hd.Name == "" || strings.ContainsAny(hd.Name, " :\t\r\n") {
				c.add(fmt.Sprintf("%s.httpGet.httpHeaders[%d].name", path, i), "invalid header name %q", hd.Name)
			}
		}
	}
	if len(handlers) != 1 {
		c.add(path, "must have exactly one handler (exec, tcpSocket or httpGet), found %d%s", len(handlers), listed(handlers))
	}
	c.min(path+".initialDelaySeconds", int64(pr.InitialDelaySeconds), 0)
	c.min(path+".timeoutSeconds", int64(pr.TimeoutSeconds), 1)
	c.min(path+".periodSeconds", int64(pr.PeriodSeconds), 1)
	c.min(path+".failureThreshold", int64(pr.FailureThreshold), 1)
	if successMustBeOne && pr.SuccessThreshold != 1 {
		c.add(path+".successThreshold", "must be 1 for liveness and startup probes, got %d", pr.SuccessThreshold)
	} else {
		c.min(path+".successThreshold", int64(pr.SuccessThreshold), 1)
	}
}

func listed(hs []string) string {
	if len(hs) == 0 {
		return ""
	}
	return " (" + strings.Join(hs, ", ") + ")"
}

// probePort checks a probe's port: a valid number, or the name of one of the container's ports.
func (c *checker) probePort(r PortRef, path string) {
	if r.Name != "" {
		if m := portNameProblem(r.Name); m != "" {
			c.add(path, "%s", m)
			return
		}
		if r.Number == 0 {
			c.add(path, "no port named %q in ports", r.Name)
		}
		return
	}
	if r.Number < 1 || r.Number > 65535 {
		c.add(path, "must be between 1 and 65535, got %d", r.Number)
	}
}

// hostRange is one port's published range: HostPort .. HostPort+replicas-1.
type hostRange struct {
	path        string
	ip, proto   string
	first, last int
}

// hostPorts reports published ranges that would collide on the host, within a
// set (two ports) or across sets, counting 0.0.0.0 / :: as every address.
func (c *checker) hostPorts(p *Project, names []string) {
	var ranges []hostRange
	for _, n := range names {
		s := p.StatefulSets[n]
		for ci, ct := range s.Template.Spec.Containers {
			for i, pt := range ct.Ports {
				if pt.HostPort == 0 {
					continue
				}
				pp := fmt.Sprintf("%s.ports[%d].hostPort", c.containerPath(s, "statefulsets."+n, ci), i)
				r := hostRange{pp, pt.HostIP, pt.Protocol, pt.HostPort, pt.HostPort + max(*s.Replicas-1, 0)}
				if pt.HostPort < 1 || r.last > 65535 {
					c.add(pp, "must be between 1 and 65535 for every ordinal (hostPort + replicas - 1 = %d)", r.last)
				}
				if *s.Replicas <= 0 {
					continue
				}
				for _, o := range ranges {
					if o.proto == r.proto && ipsOverlap(o.ip, r.ip) && r.first <= o.last && o.first <= r.last {
						c.add(r.path, "host ports %s overlap %s (%s on %s)", span(r), o.path, span(o), r.proto)
					}
				}
				ranges = append(ranges, r)
			}
		}
	}
}

func span(r hostRange) string {
	if r.first == r.last {
		return fmt.Sprint(r.first)
	}
	return fmt.Sprintf("%d-%d", r.first, r.last)
}

func ipsOverlap(a, b string) bool {
	any := func(s string) bool { return s == "0.0.0.0" || s == "::" }
	return a == b || any(a) || any(b)
}
