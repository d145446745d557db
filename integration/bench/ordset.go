package main

import (
	"context"
	"errors"
	"time"
)

var errNoEngine = errors.New("the ordset engine is not built yet")

type ordsetStarter struct{ env *env }

func newOrdsetStarter(context.Context, *env) (*ordsetStarter, error) { return nil, errNoEngine }

func (s *ordsetStarter) name() string                            { return "ordset" }
func (s *ordsetStarter) up(context.Context, string, int) error   { return errNoEngine }
func (s *ordsetStarter) down(context.Context, string, int) error { return errNoEngine }
func (s *ordsetStarter) close()                                  {}

func (e *env) healOrdset(context.Context) ([]time.Duration, error) { return nil, errNoEngine }
