// Package dnsfeed connects the controller to the embedded DNS server on the daemon's side:
// it turns pod status into DNS endpoints, and keeps one DNS listener on the gateway of every
// ordset network this daemon manages, so pods resolve their peers through ordset.
package dnsfeed
