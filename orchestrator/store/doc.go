// Package store keeps the daemon desired state durable: applied specs, live replica counts,
// revision history and recent events.
package store
