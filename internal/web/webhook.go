package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"trustmark/internal/program"
)

// This file is the webhook deliverer: a goroutine of the server that sends
// the alert notifications the program queued, signed as the Standard
// Webhooks specification says (github.com/standard-webhooks), and records
// each attempt so failures are retried with backoff (see
// program.RecordDelivery). docs/vulns.md shows a receiver verifying them.

// Webhook delivery settings.
const (
	// webhookTimeout bounds one delivery attempt.
	webhookTimeout = 10 * time.Second
	// webhookBatch is how many deliveries one round claims; with
	// webhookParallel senders a round ends well within the claim's lease.
	webhookBatch    = 16
	webhookParallel = 4
	// defaultWebhookPoll is how often the deliverer looks for due deliveries.
	defaultWebhookPoll = 5 * time.Second
)

// newWebhookClient returns the HTTP client deliveries are sent with: a 10 s
// timeout, and redirects are not followed (a receiver answers where it was
// registered, and a redirect could point the server at another host).
// Unless allowPrivate is set it dials only public addresses: the address
// is checked as it is dialed, after name resolution, so neither a URL
// naming an internal host nor a name that resolves to one (DNS rebinding)
// can make the server call its own network (metadata services, admin
// ports, the database).
func newWebhookClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: webhookTimeout}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			return checkPublicAddress(address)
		}
	}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: webhookTimeout,
		MaxIdleConns:        16,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Timeout:   webhookTimeout,
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// checkPublicAddress refuses a dialed host:port whose address is not a
// public unicast one: loopback, private (RFC 1918, fc00::/7), shared
// (100.64.0.0/10), link-local (169.254.0.0/16 with cloud metadata,
// fe80::/10), unspecified or multicast.
func checkPublicAddress(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: dialing %q: not an IP address", host)
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || sharedAddressSpace.Contains(ip) {
		return fmt.Errorf("webhook: %s is not a public address; deliveries go only to public addresses (serve --webhook-private allows others)", ip)
	}
	return nil
}

// sharedAddressSpace is RFC 6598's carrier-grade NAT range.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// SignWebhook returns the Webhook-Signature header value of a delivery:
// "v1," and the base64 HMAC-SHA256, under the webhook's key, of
// "<Webhook-Id>.<Webhook-Timestamp>.<body>".
func SignWebhook(key []byte, id string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// deliverer runs the delivery loop until stopped.
type deliverer struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// startDeliverer starts the loop that sends due deliveries every poll.
func (s *Server) startDeliverer(poll time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	d := &deliverer{cancel: cancel, done: make(chan struct{})}
	s.deliverer = d
	go func() {
		defer close(d.done)
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			// Keep going while rounds come back full: a backlog drains at once.
			for {
				n, err := s.DeliverWebhooks(ctx)
				if err != nil && ctx.Err() == nil {
					s.log.Error("webhook deliveries failed", slog.Any("error", err))
				}
				if err != nil || n < webhookBatch {
					break
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops the server's background work (the webhook deliverer) and
// waits for a round in progress to end. The handler keeps serving.
func (s *Server) Close() error {
	if d := s.deliverer; d != nil {
		d.cancel()
		<-d.done
	}
	return nil
}

// DeliverWebhooks runs one round of deliveries: it claims the due ones and
// sends them, and returns how many it attempted. The server's deliverer
// calls it every few seconds; tests and operators may call it directly.
func (s *Server) DeliverWebhooks(ctx context.Context) (int, error) {
	due, err := s.program.ClaimDeliveries(ctx, webhookBatch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, webhookParallel)
	errs := make([]error, len(due))
	for i := range due {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			d := &due[i]
			sendErr := s.sendWebhook(ctx, d)
			if sendErr != nil {
				s.log.Warn("webhook delivery failed", slog.String("webhook_id", d.WebhookID), slog.Int64("delivery_id", d.ID),
					slog.String("event", d.Event), slog.Int("attempt", d.Attempts+1), slog.String("error", sendErr.Error()))
			}
			// Record the outcome even when ctx ends, so a sent delivery is not sent again.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			errs[i] = s.program.RecordDelivery(rctx, &d.Delivery, sendErr)
		}()
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// sendWebhook makes one delivery attempt. Its error says what went wrong
// without the URL (which may hold the receiver's own token) and never
// holds the secret.
func (s *Server) sendWebhook(ctx context.Context, d *program.PendingDelivery) error {
	id := "dlv_" + strconv.FormatInt(d.ID, 10)
	ts := s.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return errors.New("the webhook URL cannot be requested")
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "trustmark-webhooks/1")
	h.Set("Webhook-Id", id)
	h.Set("Webhook-Timestamp", strconv.FormatInt(ts, 10))
	h.Set("Webhook-Signature", SignWebhook(d.Secret, id, ts, d.Payload))
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("request failed: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered HTTP %d", resp.StatusCode)
	}
	return nil
}
