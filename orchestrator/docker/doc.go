// Package docker implements orchestrator.Runtime over the Docker Engine API client, with API
// version negotiation so it works against Docker 20.10 (API 1.41) and newer engines alike.
package docker
