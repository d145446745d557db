package api

import (
	"context"
	"net/http"
)

// UndoRequest rolls a set back to an earlier revision's template.
type UndoRequest struct {
	Namespace string `json:"namespace"`
	Set       string `json:"set"`
	// ToRevision is the revision number; 0 means the previous one.
	ToRevision int64 `json:"toRevision,omitempty"`
}

// UndoResponse says which revision the set rolls to.
type UndoResponse struct {
	// Revision is the number the template now has; From the number it had.
	Revision int64  `json:"revision"`
	From     int64  `json:"from,omitempty"`
	Hash     string `json:"hash"`
	// Unchanged is set when the set already runs that template.
	Unchanged bool `json:"unchanged,omitempty"`
}

// PauseRequest pauses (or resumes) a set's rollout.
type PauseRequest struct {
	Namespace string `json:"namespace"`
	Set       string `json:"set"`
	Paused    bool   `json:"paused"`
}

// PauseResponse says whether the request changed anything.
type PauseResponse struct {
	Changed bool `json:"changed"`
}

// RolloutBackend is the part of Backend that serves kubectl's rollout verbs.
type RolloutBackend interface {
	Undo(ctx context.Context, req UndoRequest) (UndoResponse, error)
	Pause(ctx context.Context, req PauseRequest) (changed bool, err error)
}

func (s *Server) routeRollout(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/undo", s.undo)
	mux.HandleFunc("POST /v1/pause", s.pause)
}

func (s *Server) undo(w http.ResponseWriter, r *http.Request) {
	var req UndoRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	resp, err := s.b.Undo(r.Context(), req)
	s.reply(w, resp, err)
}

func (s *Server) pause(w http.ResponseWriter, r *http.Request) {
	var req PauseRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	changed, err := s.b.Pause(r.Context(), req)
	s.reply(w, PauseResponse{Changed: changed}, err)
}

// Undo rolls a set back to an earlier revision's template.
func (c *Client) Undo(ctx context.Context, req UndoRequest) (UndoResponse, error) {
	var out UndoResponse
	err := c.call(ctx, http.MethodPost, "/v1/undo", nil, req, &out)
	return out, err
}

// Pause pauses or resumes a set's rollout and reports whether that changed anything.
func (c *Client) Pause(ctx context.Context, req PauseRequest) (bool, error) {
	var out PauseResponse
	err := c.call(ctx, http.MethodPost, "/v1/pause", nil, req, &out)
	return out.Changed, err
}
