package compose

// Normalize applies Load's defaults and validation to a project that did not come from a
// file: a spec submitted to the daemon's API, or one read back from its store. It is the
// same path as Load's, so whatever reaches the controller has every default set and has
// passed every check; nothing downstream works a default out again. Problems name the
// field path (statefulsets.web.replicas) and carry no file position. Host paths must be
// absolute: there is no file whose directory a relative one could be resolved against.
// A project that is already normalised comes back unchanged. Sets are in the template form
// (problems name containers[i]); the config hash annotation is recomputed from the
// project's ConfigMaps and Secrets, so it follows what the daemon was sent.
func Normalize(p *Project) error {
	dir := p.Dir
	p.Dir = ""
	c := &checker{w: newWalker("", nil), flat: map[string]bool{}}
	c.readFiles(p)
	applyDefaults(p)
	p.Dir = dir
	probs := c.validate(p)
	if len(probs) == 0 {
		addConfigHashes(p)
		return nil
	}
	for i := range probs {
		probs[i].Line, probs[i].Col = 0, 0
	}
	return finish(probs)
}
