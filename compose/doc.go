// Package compose reads the ordset file: types, strict YAML decoding, ${VAR} interpolation,
// defaults applied in one place, validation that reports every problem with file:line:col,
// and the revision hash of a set. It imports nothing of ordset so any tool can load the format.
package compose
