package main

import "github.com/urfave/cli/v2"

// Flags of the commands that load files (up, validate, config, export; down takes --image).
var (
	strictFlag = &cli.BoolFlag{Name: "strict", Usage: "treat warnings (ignored Kubernetes kinds and fields, unused image overrides...) as errors; all are listed, exit 1"}
	imageFlag  = &cli.StringSliceFlag{Name: "image", Usage: "run image NEW where the files name OLD: OLD=NEW, repeatable (OLD without a tag matches every tag; NEW without one keeps the tag). Also read from ordset-images.yaml beside the files"}
)
