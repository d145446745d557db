package compose

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// IntOrPercent is Kubernetes' IntOrString for a pod count: a number ("2") or a percentage of
// the replicas ("50%"). The empty value means the field's default.
type IntOrPercent string

// MarshalYAML writes a number as a YAML integer, a percentage as a string.
func (v IntOrPercent) MarshalYAML() (any, error) {
	if n, err := strconv.Atoi(string(v)); err == nil {
		return n, nil
	}
	return string(v), nil
}

// MarshalJSON writes a number as a JSON number, a percentage as a string.
func (v IntOrPercent) MarshalJSON() ([]byte, error) {
	if n, err := strconv.Atoi(string(v)); err == nil {
		return []byte(strconv.Itoa(n)), nil
	}
	return json.Marshal(string(v))
}

// UnmarshalJSON accepts a number or a string, as Kubernetes does.
func (v *IntOrPercent) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*v = IntOrPercent(strconv.Itoa(n))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("must be a number or a percentage: %w", err)
	}
	*v = IntOrPercent(s)
	return nil
}

// parse returns the number, or the percentage with percent set.
func (v IntOrPercent) parse() (n int, percent bool, err error) {
	s := string(v)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err = strconv.Atoi(p)
		percent = true
	} else {
		n, err = strconv.Atoi(s)
	}
	if err != nil {
		return 0, percent, fmt.Errorf("must be a number or a percentage like \"25%%\", got %q", s)
	}
	return n, percent, nil
}

// MaxUnavailableOf resolves maxUnavailable against the replica count as Kubernetes does:
// a percentage rounds down, and the result is at least 1 (the default).
func (u UpdateStrategy) MaxUnavailableOf(replicas int) int {
	if u.MaxUnavailable == "" {
		return 1
	}
	n, percent, err := u.MaxUnavailable.parse()
	if err != nil {
		return 1
	}
	if percent {
		n = n * replicas / 100
	}
	return max(n, 1)
}

// foldRollingUpdate moves Kubernetes' nested rollingUpdate into the flat fields; a value given
// in both places must agree. It returns the problems as (field, message) pairs.
func (u *UpdateStrategy) foldRollingUpdate() [][2]string {
	ru := u.RollingUpdate
	if ru == nil {
		return nil
	}
	var probs [][2]string
	if ru.Partition != nil {
		if u.Partition != 0 && u.Partition != *ru.Partition {
			probs = append(probs, [2]string{"partition", "is given twice (here and under rollingUpdate) with different values"})
		}
		u.Partition = *ru.Partition
	}
	if ru.MaxUnavailable != "" {
		if u.MaxUnavailable != "" && u.MaxUnavailable != ru.MaxUnavailable {
			probs = append(probs, [2]string{"maxUnavailable", "is given twice (here and under rollingUpdate) with different values"})
		}
		u.MaxUnavailable = ru.MaxUnavailable
	}
	u.RollingUpdate = nil
	return probs
}

// canonicalStrategy is how an UpdateStrategy is written out: Kubernetes' nested shape.
type canonicalStrategy struct {
	Type          string                 `yaml:"type" json:"type"`
	RollingUpdate *RollingUpdateStrategy `yaml:"rollingUpdate,omitempty" json:"rollingUpdate,omitempty"`
}

func (u UpdateStrategy) canonical() canonicalStrategy {
	out := canonicalStrategy{Type: u.Type}
	if u.Type != OnDelete {
		p := u.Partition
		out.RollingUpdate = &RollingUpdateStrategy{Partition: &p, MaxUnavailable: u.MaxUnavailable}
	}
	return out
}

// MarshalYAML writes Kubernetes' nested shape (what `ordset config` prints).
func (u UpdateStrategy) MarshalYAML() (any, error) { return u.canonical(), nil }

// MarshalJSON writes Kubernetes' nested shape.
func (u UpdateStrategy) MarshalJSON() ([]byte, error) { return json.Marshal(u.canonical()) }

// UnmarshalJSON reads either shape, so a spec survives a JSON round trip (API, store).
func (u *UpdateStrategy) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type           string                 `json:"type"`
		Partition      int                    `json:"partition"`
		MaxUnavailable IntOrPercent           `json:"maxUnavailable"`
		RollingUpdate  *RollingUpdateStrategy `json:"rollingUpdate"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*u = UpdateStrategy{Type: raw.Type, Partition: raw.Partition, MaxUnavailable: raw.MaxUnavailable,
		RollingUpdate: raw.RollingUpdate}
	if probs := u.foldRollingUpdate(); len(probs) > 0 {
		return fmt.Errorf("updateStrategy.%s %s", probs[0][0], probs[0][1])
	}
	return nil
}
