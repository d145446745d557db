package api

import (
	"context"
	"net/http"
)

// DeletePodRequest removes one pod's container; the controller then creates it again with
// the same name and volumes (kubectl delete pod). Grace overrides the set's termination
// grace period when it is not nil.
type DeletePodRequest struct {
	Namespace    string `json:"namespace"`
	Pod          string `json:"pod"`
	GraceSeconds *int64 `json:"graceSeconds,omitempty"`
}

// DeletePod removes a pod's container so that the controller recreates it.
func (c *Client) DeletePod(ctx context.Context, req DeletePodRequest) error {
	return c.call(ctx, http.MethodPost, "/v1/delete-pod", nil, req, nil)
}

func (s *Server) deletePod(w http.ResponseWriter, r *http.Request) {
	var req DeletePodRequest
	if err := decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	if req.Pod == "" {
		s.fail(w, Invalidf("pod is required"))
		return
	}
	s.reply(w, struct{}{}, s.b.DeletePod(r.Context(), req))
}
