// Package testenv is the shared fixture of tests that need a real Docker engine: it builds the
// offline test images, hands out a Docker client and an ordset runtime that marks everything it
// creates with io.ordset.test.object=1 (a label the test images do not carry, so
// containers cannot inherit it), picks unique namespaces so concurrent test runs never collide,
// and sweeps a test's leftovers when it ends (or a crashed run's, with SweepAll).
package testenv
