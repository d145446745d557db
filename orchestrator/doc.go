// Package orchestrator is the StatefulSet controller: observe Docker once per pass, plan the
// next actions with a pure planner, execute them one Docker call per action. Waiting is a
// planner outcome, never a sleep inside a decision, so the whole policy is table-testable.
package orchestrator
