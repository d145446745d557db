package api

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors shared by server and client; Backends wrap them, clients get them back.
var (
	ErrNotFound    = errors.New("not found")
	ErrInvalid     = errors.New("invalid request")
	ErrConflict    = errors.New("conflict")
	ErrUnavailable = errors.New("unavailable")
)

// Error codes on the wire.
const (
	CodeNotFound    = "not_found"
	CodeInvalid     = "invalid"
	CodeConflict    = "conflict"
	CodeUnavailable = "unavailable"
	CodeInternal    = "internal"
)

// Error is the JSON error body {error, code}.
type Error struct {
	Message string `json:"error"`
	Code    string `json:"code"`
}

func (e *Error) Error() string { return e.Message }

// Is lets errors.Is(err, ErrNotFound) work on a decoded *Error.
func (e *Error) Is(target error) bool {
	switch e.Code {
	case CodeNotFound:
		return target == ErrNotFound
	case CodeInvalid:
		return target == ErrInvalid
	case CodeConflict:
		return target == ErrConflict
	case CodeUnavailable:
		return target == ErrUnavailable
	}
	return false
}

// toWire classifies a Backend error into a status and body.
func toWire(err error) (int, *Error) {
	switch {
	case errors.Is(err, ErrNotFound):
		return http.StatusNotFound, &Error{err.Error(), CodeNotFound}
	case errors.Is(err, ErrInvalid):
		return http.StatusBadRequest, &Error{err.Error(), CodeInvalid}
	case errors.Is(err, ErrConflict):
		return http.StatusConflict, &Error{err.Error(), CodeConflict}
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable, &Error{err.Error(), CodeUnavailable}
	}
	return http.StatusInternalServerError, &Error{err.Error(), CodeInternal}
}

// Invalidf builds an ErrInvalid-wrapping error.
func Invalidf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}
