package statedir

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// A socket that accepts connections is enough: Connect sends nothing (the command's own first
// request is the first round trip) and starts no daemon.
func TestConnectSendsNoRequestToAListeningDaemon(t *testing.T) {
	dir, err := os.MkdirTemp("", "ordset-sd") // short: the socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	p := PathsIn(dir)
	// Held as a daemon holds it, so a Connect that asked and got no answer would wait
	// for this "daemon" and fail, instead of starting one.
	lock, err := Acquire(p)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	l, err := net.Listen("unix", p.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sent := make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		sent <- b
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := Connect(ctx, p, 2*time.Second); err != nil {
		t.Fatalf("Connect to a listening socket: %v", err)
	}
	select {
	case b := <-sent:
		if len(b) != 0 {
			t.Errorf("Connect sent %q, want nothing", b)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Connect never connected to the socket")
	}
}
