package compose

// strategy folds Kubernetes' nested rollingUpdate into the flat fields and checks the update
// strategy, each problem at the field as the file wrote it.
func (c *checker) strategy(s *StatefulSet, path string) {
	if s.RevisionHistoryLimit != nil {
		c.min(path+".revisionHistoryLimit", int64(*s.RevisionHistoryLimit), 0)
	}
	path += ".updateStrategy"
	at := func(field string) string {
		if nested := path + ".rollingUpdate." + field; c.written(nested) {
			return nested
		}
		return path + "." + field
	}
	for _, p := range s.UpdateStrategy.foldRollingUpdate() {
		c.add(path+".rollingUpdate."+p[0], "%s", p[1])
	}
	u := s.UpdateStrategy
	c.word(path+".type", u.Type, RollingUpdate, OnDelete)
	c.min(at("partition"), int64(u.Partition), 0)
	c.max32(at("partition"), int64(u.Partition))
	if u.MaxUnavailable == "" {
		return
	}
	n, percent, err := u.MaxUnavailable.parse()
	switch {
	case err != nil:
		c.add(at("maxUnavailable"), "%v", err)
	case n < 1:
		c.add(at("maxUnavailable"), "must be at least 1 (or 1%%), got %q", string(u.MaxUnavailable))
	case percent && n > 100:
		c.add(at("maxUnavailable"), "must not exceed 100%%, got %q", string(u.MaxUnavailable))
	case u.Type == OnDelete:
		c.add(at("maxUnavailable"), "applies only to updateStrategy.type RollingUpdate")
	}
}

// written reports whether the file has a value at path.
func (c *checker) written(path string) bool {
	_, ok := c.w.values[path]
	return ok
}
