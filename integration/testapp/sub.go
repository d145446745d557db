package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// subcommand runs one of the helper commands and returns the exit code.
func subcommand(name string, args []string) int {
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "testapp %s: %v\n", name, err)
		return 1
	}
	if len(args) != 1 {
		return fail(fmt.Errorf("want exactly one argument, got %d", len(args)))
	}
	arg := args[0]
	switch name {
	case "probe":
		if err := probe(arg); err != nil {
			return fail(err)
		}
	case "touch":
		f, err := os.OpenFile(arg, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fail(err)
		}
		f.Close()
	case "rm":
		if err := os.Remove(arg); err != nil && !os.IsNotExist(err) {
			return fail(err)
		}
	case "cat":
		b, err := os.ReadFile(arg)
		if err != nil {
			return fail(err)
		}
		os.Stdout.Write(b)
	case "sleep":
		d, err := time.ParseDuration(arg)
		if err != nil {
			return fail(err)
		}
		time.Sleep(d)
	default:
		return fail(fmt.Errorf("unknown command (want probe, touch, rm, cat or sleep)"))
	}
	return 0
}

// probe checks an HTTP URL (2xx/3xx passes) or a tcp://host:port address, within 2 seconds.
func probe(target string) error {
	if addr, ok := strings.CutPrefix(target, "tcp://"); ok {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}
	client := &http.Client{Timeout: 2 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(target)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("%s: status %d", target, resp.StatusCode)
	}
	fmt.Println(resp.Status)
	return nil
}
