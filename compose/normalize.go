package compose

// Normalize applies Load's defaults and validation to a project that did not come from a
// file: a spec submitted to the daemon's API, or one read back from its store. It is the
// same path as Load's, so whatever reaches the controller has every default set and has
// passed every check; nothing downstream works a default out again. Problems name the
// field path (statefulsets.web.replicas) and carry no file position. Host paths must be
// absolute: there is no file whose directory a relative one could be resolved against.
// A project that is already normalised comes back unchanged.
func Normalize(p *Project) error {
	dir := p.Dir
	p.Dir = ""
	applyDefaults(p)
	p.Dir = dir
	probs := validate(p, newWalker("", nil))
	if len(probs) == 0 {
		return nil
	}
	for i := range probs {
		probs[i].Line, probs[i].Col = 0, 0
	}
	return finish(probs)
}
