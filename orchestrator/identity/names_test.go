package identity

import "testing"

func TestNames(t *testing.T) {
	checks := []struct{ got, want string }{
		{PodName("web", 1), "web-1"},
		{ContainerName("demo", "web", 1), "demo-web-1"},
		{InitContainerName("demo", "web", 0, "seed"), "demo-web-0-init-seed"},
		{NetworkName("demo"), "ordset-demo"},
		{Hostname("redis", 2), "redis-2"},
		{Domainname("redis", "demo", ""), "redis.demo.svc.cluster.local"},
		{Domainname("redis", "demo", "example.test"), "redis.demo.svc.example.test"},
		{PodFQDN("redis", 0, "cache", "demo", "cluster.local"), "redis-0.cache.demo.svc.cluster.local"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseOrdinal(t *testing.T) {
	cases := []struct {
		pod, set string
		want     int
		ok       bool
	}{
		{"web-0", "web", 0, true},
		{"web-12", "web", 12, true},
		{"my-web-3", "my-web", 3, true},
		{"web-03", "web", 0, false},
		{"web-", "web", 0, false},
		{"web", "web", 0, false},
		{"web--1", "web", 0, false},
		{"web-1a", "web", 0, false},
		{"db-1", "web", 0, false},
		{"web-x-1", "web", 0, false},
		{"web-99999999999999999999", "web", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseOrdinal(c.pod, c.set)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseOrdinal(%q, %q) = %d, %v; want %d, %v", c.pod, c.set, got, ok, c.want, c.ok)
		}
	}
}
