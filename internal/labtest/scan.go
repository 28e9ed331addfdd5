package labtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// discover runs the TCP connect scan and returns the open ports in order.
// A connect scan completes the handshake and closes at once: it needs no
// privileges and sends nothing but the handshake. Ports whose connect
// timed out or failed for a local reason (such as running out of file
// descriptors) are tried once more at the end, so that a busy moment does
// not hide an open port.
func (p *prober) discover(ctx context.Context) []int {
	total := len(p.ports)
	var (
		done                   atomic.Int64
		mu                     sync.Mutex
		open, retry            []int
		refused, timedOut, bad int
	)
	p.progress(Progress{Stage: "discovery", Total: total})
	scan := func(ports []int, last bool) {
		work := make(chan int)
		var wg sync.WaitGroup
		for range min(p.cfg.Concurrency, len(ports)) {
			wg.Go(func() {
				for port := range work {
					start := p.cfg.Now()
					conn, err := p.dial(ctx, port)
					state := classify(err)
					if conn != nil {
						conn.Close()
					}
					mu.Lock()
					switch {
					case state == "open":
						open = append(open, port)
						p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: "discovery",
							Sent: "TCP connect (SYN)", Received: "connection established (SYN-ACK)", Result: "open"}, start)
					case state == "closed":
						refused++
					case ctx.Err() != nil:
					case !last:
						retry = append(retry, port)
					case state == "timeout":
						timedOut++
					default:
						bad++
						p.rec.observe(Observation{Address: p.target.Address, Port: port, Service: "unknown", Check: "discovery",
							Sent: "TCP connect (SYN)", Result: "error", Error: err.Error()}, start)
					}
					mu.Unlock()
					if n := done.Add(1); n%1024 == 0 || int(n) == total {
						mu.Lock()
						o := len(open)
						mu.Unlock()
						p.progress(Progress{Stage: "discovery", Done: int(n), Total: total, Open: o})
					}
				}
			})
		}
	feed:
		for _, port := range ports {
			select {
			case work <- port:
			case <-ctx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
	}
	start := p.cfg.Now()
	scan(p.ports, false)
	if len(retry) > 0 && ctx.Err() == nil {
		again := retry
		retry = nil
		done.Add(-int64(len(again)))
		time.Sleep(100 * time.Millisecond)
		scan(again, true)
	}
	slices.Sort(open)
	p.rec.observe(Observation{Address: p.target.Address, Service: "-", Check: "discovery.summary",
		Result: "done", Detail: fmt.Sprintf("%d TCP ports tried: %d open, %d closed (refused), %d no answer (timeout), %d errors",
			total, len(open), refused, timedOut, bad)}, start)
	p.cfg.Logger.Info("discovery done", "ports", total, "open", len(open), "closed", refused, "timeout", timedOut, "errors", bad)
	return open
}

// classify sorts a connect result: open, closed (refused: the host said no
// one listens), timeout (no answer: filtered or lost), or error.
func classify(err error) string {
	var ne net.Error
	switch {
	case err == nil:
		return "open"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "closed"
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "error"
}
