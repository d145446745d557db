package kube

import "encoding/json"

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
