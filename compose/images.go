package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// ImagesFile is the file beside the ordset file or manifests that overrides images without
// editing them; it holds only an images: list in the shape of Kustomize's images transformer.
const ImagesFile = "ordset-images.yaml"

// ImageOverride replaces an image everywhere a pod template names it, as Kustomize's images
// transformer does: Name matches the image's name (any tag, or only the tag given after
// ':'), NewName replaces the name, NewTag the tag and Digest pins the image (wins over NewTag).
type ImageOverride struct {
	Name    string `yaml:"name"`
	NewName string `yaml:"newName,omitempty"`
	NewTag  string `yaml:"newTag,omitempty"`
	Digest  string `yaml:"digest,omitempty"`
	// At is where the override was written (File "" for --image), for messages.
	At Position `yaml:"-"`
}

// String is the override as --image spells it.
func (o ImageOverride) String() string {
	return o.Name + "=" + o.apply(o.Name)
}

// splitImage cuts an image reference into its name, tag and digest (each "" when absent).
func splitImage(image string) (name, tag, digest string) {
	name, digest, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// matches reports whether the override applies to image.
func (o ImageOverride) matches(image string) bool {
	oname, otag, odigest := splitImage(o.Name)
	name, tag, digest := splitImage(image)
	return name == oname && (otag == "" || otag == tag) && (odigest == "" || odigest == digest)
}

// apply is image with the override's replacements.
func (o ImageOverride) apply(image string) string {
	name, tag, digest := splitImage(image)
	if o.NewName != "" {
		name = o.NewName
	}
	switch {
	case o.Digest != "":
		return name + "@" + o.Digest
	case o.NewTag != "":
		return name + ":" + o.NewTag
	case digest != "":
		return name + "@" + digest
	case tag != "":
		return name + ":" + tag
	}
	return name
}

// ParseImageFlag reads one --image OLD=NEW: OLD is an image name, with a tag to match only
// that tag; NEW is the image to run instead (with no tag, OLD's tag is kept).
func ParseImageFlag(s string) (ImageOverride, error) {
	old, repl, ok := strings.Cut(s, "=")
	if !ok || old == "" || repl == "" {
		return ImageOverride{}, fmt.Errorf("--image %q: want OLD=NEW, e.g. nginx:1.25=myorg/nginx:local", s)
	}
	o := ImageOverride{Name: old}
	o.NewName, o.NewTag, o.Digest = splitImage(repl)
	if msgs := o.problems(); len(msgs) > 0 {
		return ImageOverride{}, fmt.Errorf("--image %q: %s", s, strings.Join(msgs, "; "))
	}
	return o, nil
}

// problems lists what is wrong with an override (empty when it is valid).
func (o ImageOverride) problems() []string {
	var out []string
	if o.Name == "" {
		out = append(out, "name is required (the image to replace)")
	} else if strings.ContainsAny(o.Name, " \t") {
		out = append(out, fmt.Sprintf("name %q holds a space", o.Name))
	}
	if o.NewName == "" && o.NewTag == "" && o.Digest == "" {
		out = append(out, "give newName, newTag or digest (what to run instead)")
	}
	if o.NewName != "" && (strings.ContainsAny(o.NewName, " \t@") || strings.LastIndex(o.NewName, ":") > strings.LastIndex(o.NewName, "/")) {
		out = append(out, fmt.Sprintf("newName %q must be an image name without tag or digest (use newTag, digest)", o.NewName))
	}
	if o.NewTag != "" && !validTag(o.NewTag) {
		out = append(out, fmt.Sprintf("newTag %q is not a valid tag (letters, digits, '_', '.', '-'; at most 128)", o.NewTag))
	}
	if o.Digest != "" && !validDigest(o.Digest) {
		out = append(out, fmt.Sprintf("digest %q must be algorithm:hex, e.g. sha256:<64 hex digits>", o.Digest))
	}
	return out
}

func validTag(t string) bool {
	if len(t) > 128 || t[0] == '.' || t[0] == '-' {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func validDigest(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || alg == "" || len(hex) < 32 {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// LoadImagesFile reads an images file (ImagesFile's shape). A missing file is no overrides;
// problems name file:line:col.
func LoadImagesFile(path string) ([]ImageOverride, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read image overrides: %w", err)
	}
	return ParseImages(path, data)
}

// ParseImages decodes an images file strictly: only images: [{name, newName, newTag, digest}].
func ParseImages(file string, data []byte) ([]ImageOverride, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &ValidationError{Problems: []Problem{syntaxProblem(file, data, strings.TrimPrefix(err.Error(), "yaml: "))}}
	}
	doc := root.Content[0]
	var probs []Problem
	at := func(n *yaml.Node, path, format string, args ...any) {
		probs = append(probs, Problem{File: file, Line: n.Line, Col: n.Column, Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if doc.Kind != yaml.MappingNode {
		at(doc, "", "an images file is a mapping with one key, images")
		return nil, finish(probs)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if k := doc.Content[i]; k.Value == "images" {
			list = doc.Content[i+1]
		} else {
			at(k, k.Value, "unknown field (an images file holds only images:)")
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		at(doc, "images", "is required: a list of {name, newName, newTag, digest}")
		return nil, finish(probs)
	}
	out := make([]ImageOverride, 0, len(list.Content))
	for i, item := range list.Content {
		o, ps := parseImageItem(file, fmt.Sprintf("images[%d]", i), item)
		probs = append(probs, ps...)
		out = append(out, o)
	}
	if len(probs) > 0 {
		return nil, finish(probs)
	}
	return out, nil
}

func parseImageItem(file, path string, n *yaml.Node) (ImageOverride, []Problem) {
	o := ImageOverride{At: Position{File: file, Line: n.Line, Col: n.Column}}
	var probs []Problem
	if n.Kind != yaml.MappingNode {
		return o, []Problem{{File: file, Line: n.Line, Col: n.Column, Path: path, Message: "must be a mapping {name, newName, newTag, digest}"}}
	}
	fields := map[string]*string{"name": &o.Name, "newName": &o.NewName, "newTag": &o.NewTag, "digest": &o.Digest}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		dst, ok := fields[k.Value]
		switch {
		case !ok:
			probs = append(probs, Problem{File: file, Line: k.Line, Col: k.Column, Path: path + "." + k.Value, Message: "unknown field (name, newName, newTag, digest)"})
		case v.Kind != yaml.ScalarNode:
			probs = append(probs, Problem{File: file, Line: v.Line, Col: v.Column, Path: path + "." + k.Value, Message: "must be a string"})
		default:
			*dst = v.Value
		}
	}
	if len(probs) == 0 {
		for _, m := range o.problems() {
			probs = append(probs, Problem{File: file, Line: n.Line, Col: n.Column, Path: path, Message: m})
		}
	}
	return o, probs
}

// ApplyImages replaces the images of every container of p's pod templates by the first
// override that matches, before the project is validated, and returns a warning for each
// override that matched no image (a typo would otherwise go unnoticed).
func ApplyImages(p *Project, overrides []ImageOverride) []Problem {
	if len(overrides) == 0 {
		return nil
	}
	used := make([]bool, len(overrides))
	replace := func(c *Container, path string) {
		for i, o := range overrides {
			if c.Image != "" && o.matches(c.Image) {
				old := c.Image
				c.Image, used[i] = o.apply(c.Image), true
				p.ImageChanges = append(p.ImageChanges, fmt.Sprintf("%s: %s -> %s (%s)", path, old, c.Image, o.source()))
				return
			}
		}
	}
	for _, name := range p.SetNames() {
		spec := &p.StatefulSets[name].Template.Spec
		for i := range spec.InitContainers {
			replace(&spec.InitContainers[i], fmt.Sprintf("statefulsets.%s.initContainers[%d]", name, i))
		}
		for i := range spec.Containers {
			replace(&spec.Containers[i], fmt.Sprintf("statefulsets.%s.containers[%d]", name, i))
		}
	}
	var warns []Problem
	for i, o := range overrides {
		if !used[i] {
			warns = append(warns, overrideWarning(o))
		}
	}
	return warns
}

// source says where the override was given: its file position, or the flag.
func (o ImageOverride) source() string {
	if o.At.File == "" {
		return "--image " + o.String()
	}
	return fmt.Sprintf("%s:%d:%d", o.At.File, o.At.Line, o.At.Col)
}

// overrideWarning places an unused override at its file position, or names the flag.
func overrideWarning(o ImageOverride) Problem {
	msg := fmt.Sprintf("override of %s matches no image of the pod templates", o.Name)
	if o.At.File == "" {
		return Problem{Path: "--image " + o.String(), Message: msg}
	}
	return Problem{File: o.At.File, Line: o.At.Line, Col: o.At.Col, Path: "images", Message: msg}
}
