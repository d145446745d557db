package kube

import (
	"encoding/json"
	"reflect"
)

// convert copies src into dst through their JSON forms. The pod model's types follow
// core/v1's field names, so the parts of a pod that map 1:1 (env sources, security
// contexts, lifecycle handlers, volume sources, DNS settings) need no field-by-field code.
// Both sides are this package's own values, so a failure is a programming error.
func convert(src, dst any) {
	b, err := json.Marshal(src)
	if err != nil {
		panic("kube: encode " + err.Error())
	}
	if err := json.Unmarshal(b, dst); err != nil {
		panic("kube: decode " + err.Error())
	}
}

// convertRest converts src into dst as convert does and returns, as src's own type, what dst
// has no field for (the zero value when dst kept everything). An importer puts it back where
// it took src from, so leftovers reports a field core/v1 has and the pod model lacks instead
// of it being lost without a word (a newer API version adds fields to the types convert
// copies whole).
func convertRest[T any](src T, dst any) T {
	convert(src, dst)
	var in, kept any
	convert(src, &in)
	convert(dst, &kept)
	var rest T
	if r := subtract(in, kept); r != nil {
		convert(r, &rest)
	}
	return rest
}

// subtract returns the parts of the JSON value a that b has no key for (nil when none);
// list items keep their positions, so a path names the same item in both.
func subtract(a, b any) any {
	switch av := a.(type) {
	case map[string]any:
		bv, _ := b.(map[string]any)
		rest := map[string]any{}
		for k, x := range av {
			y, ok := bv[k]
			if !ok {
				rest[k] = x
			} else if r := subtract(x, y); r != nil {
				rest[k] = r
			}
		}
		if len(rest) == 0 {
			return nil
		}
		return rest
	case []any:
		bv, _ := b.([]any)
		rest := make([]any, len(av))
		found := false
		for i, x := range av {
			rest[i] = map[string]any{}
			if i >= len(bv) {
				rest[i], found = x, true
			} else if r := subtract(x, bv[i]); r != nil {
				rest[i], found = r, true
			}
		}
		if !found {
			return nil
		}
		return rest
	}
	if b == nil && a != nil && !reflect.ValueOf(a).IsZero() {
		return a
	}
	return nil
}
