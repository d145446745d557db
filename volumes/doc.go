// Package volumes owns per-ordinal volume identity: names, labels and the retention decisions
// that say when a claim volume may be removed. A volume follows its ordinal forever.
package volumes
