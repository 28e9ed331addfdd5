package program

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"trustmark"
)

// webhookPayload is the JSON body of a notification, in the Standard
// Webhooks shape: {"type", "timestamp", "data"}.
type webhookPayload struct {
	Type      string           `json:"type"`
	Timestamp time.Time        `json:"timestamp"`
	Data      *trustmark.Alert `json:"data"`
}

// notify queues a notification of an alert change for every webhook of
// the alert's manufacturer and CLA.
func (m *monitor) notify(a *trustmark.Alert, event string) error {
	body, err := json.Marshal(webhookPayload{Type: event, Timestamp: m.now, Data: a})
	if err != nil {
		return trustmark.Internal(err)
	}
	for _, org := range []string{a.ManufacturerID, a.CLAID} {
		if org == "" {
			continue
		}
		hooks, ok := m.hooks[org]
		if !ok {
			if hooks, err = m.tx.Webhooks(org); err != nil {
				return err
			}
			m.hooks[org] = hooks
		}
		for _, h := range hooks {
			d := &trustmark.Delivery{WebhookID: h.ID, Event: event, Payload: body, NextTry: m.now, CreatedAt: m.now}
			if err := m.tx.EnqueueDelivery(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// WebhookSecretPrefix starts every webhook secret, as the Standard
// Webhooks specification writes them: "whsec_" and the base64 of the key.
const WebhookSecretPrefix = "whsec_"

// checkWebhookURL accepts an https URL, or an http URL on the loopback
// interface (127.0.0.1, ::1, localhost) for local receivers and tests.
func checkWebhookURL(s string) error {
	if len(s) > 2048 {
		return trustmark.FieldError("url", "is longer than 2048 characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !u.IsAbs() || u.Opaque != "" {
		return trustmark.FieldError("url", "must be an absolute https:// URL; got %q", truncate(s, 80))
	}
	if u.User != nil {
		return trustmark.FieldError("url", "must not hold a user name or password; the signature authenticates deliveries")
	}
	if u.Fragment != "" {
		return trustmark.FieldError("url", "must not have a #fragment")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return trustmark.FieldError("url", "must use https:// (plain http:// only to 127.0.0.1, ::1 or localhost)")
	}
	return trustmark.FieldError("url", "must use https://; got scheme %q", truncate(u.Scheme, 20))
}

// sealer returns the AEAD that seals webhook secrets, or a KindRule error
// when the server was given no webhook key.
func (p *Program) sealer() (cipher.AEAD, error) {
	if len(p.webhookKey) == 0 {
		return nil, ruleError("webhooks are not enabled on this server: it was started without a webhook key")
	}
	// A key of its own for this purpose, whatever the key material's size.
	k := sha256.Sum256(append([]byte("trustmark webhook secret seal v1\x00"), p.webhookKey...))
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, trustmark.Internal(err)
	}
	return aead, nil
}

// sealAD binds a sealed secret to its organization and URL, so a sealed
// value copied onto another webhook row does not open.
func sealAD(orgID, u string) []byte { return []byte(orgID + "\x00" + u) }

// WebhooksEnabled reports whether the program can create and sign
// webhooks (it was given a webhook key).
func (p *Program) WebhooksEnabled() bool { return len(p.webhookKey) > 0 }

// CreateWebhook registers an endpoint of the caller's organization for
// alert notifications and returns it with its signing secret
// ("whsec_" + base64 of 256 random bits), shown this once. The store keeps
// the secret sealed with AES-256-GCM under a key derived from the server's
// webhook key. The URL must be https (plain http only to the loopback
// interface). Who: an admin of a manufacturer or a CLA. Errors:
// KindInvalid for a bad URL; KindRule beyond MaxWebhooks or when the
// server has no webhook key.
func (p *Program) CreateWebhook(ctx context.Context, pr *trustmark.Principal, rawURL string) (*trustmark.Webhook, string, error) {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return nil, "", err
	}
	rawURL = strings.TrimSpace(rawURL)
	if err := checkWebhookURL(rawURL); err != nil {
		return nil, "", err
	}
	aead, err := p.sealer()
	if err != nil {
		return nil, "", err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, "", trustmark.Internal(err)
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", trustmark.Internal(err)
	}
	sealed := aead.Seal(nonce, nonce, key, sealAD(pr.Org.ID, rawURL))
	var w *trustmark.Webhook
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		existing, err := tx.Webhooks(pr.Org.ID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhooks {
			return ruleError("your organization has %d webhooks, the most allowed; delete one first", len(existing))
		}
		now := p.Now()
		w = &trustmark.Webhook{OrgID: pr.Org.ID, URL: rawURL, Secret: sealed, CreatedAt: now, CreatedBy: pr.Actor()}
		if err := tx.CreateWebhook(w); err != nil {
			return err
		}
		return audit(tx, pr, now, "webhook.create", "webhook/"+w.ID, "", "", webhookHost(rawURL))
	})
	if err != nil {
		return nil, "", err
	}
	w.Secret = nil
	return w, WebhookSecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// webhookHost is the part of a webhook URL audit entries and logs show: a
// URL's path or query may hold a receiver's own token.
func webhookHost(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Scheme + "://" + pu.Host
	}
	return ""
}

// Webhooks lists the caller's organization's webhooks, without secrets.
// Who: an admin of a manufacturer or a CLA.
func (p *Program) Webhooks(ctx context.Context, pr *trustmark.Principal) ([]trustmark.Webhook, error) {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return nil, err
	}
	var out []trustmark.Webhook
	err := p.view(ctx, func(tx trustmark.Tx) error {
		var err error
		out, err = tx.Webhooks(pr.Org.ID)
		return err
	})
	for i := range out {
		out[i].Secret = nil
	}
	return out, err
}

// DeleteWebhook removes a webhook of the caller's organization; its queued
// deliveries are dropped. Who: an admin of a manufacturer or a CLA.
// Errors: KindNotFound for another organization's webhook.
func (p *Program) DeleteWebhook(ctx context.Context, pr *trustmark.Principal, id string) error {
	if err := need(pr, trustmark.RoleAdmin, trustmark.OrgManufacturer, trustmark.OrgCLA); err != nil {
		return err
	}
	return p.transact(ctx, func(tx trustmark.Tx) error {
		w, err := tx.Webhook(id)
		if err != nil || w.OrgID != pr.Org.ID {
			return notFound("webhook", id)
		}
		if err := tx.DeleteWebhook(id); err != nil {
			return err
		}
		return audit(tx, pr, p.Now(), "webhook.delete", "webhook/"+id, "", "", webhookHost(w.URL))
	})
}

// PendingDelivery is a claimed delivery with what sending it needs.
type PendingDelivery struct {
	trustmark.Delivery
	URL string
	// Secret is the webhook's signing key (the bytes "whsec_" encodes).
	// Never log it.
	Secret []byte
}

// ClaimDeliveries returns up to limit deliveries that are due, each with
// its webhook's URL and signing key, and hides them from other deliverers
// for a short lease so that servers sharing a store rarely send one twice
// (receivers must still tolerate duplicates: the Webhook-Id header is the
// same on every attempt). Deliveries of deleted webhooks, or whose secret
// does not open under this server's key, are abandoned with the reason.
func (p *Program) ClaimDeliveries(ctx context.Context, limit int) ([]PendingDelivery, error) {
	aead, err := p.sealer()
	if err != nil {
		return nil, err
	}
	var out []PendingDelivery
	err = p.transact(ctx, func(tx trustmark.Tx) error {
		out = nil
		now := p.Now()
		due, err := tx.DueDeliveries(now, limit)
		if err != nil {
			return err
		}
		hooks := map[string]*trustmark.Webhook{}
		for i := range due {
			d := &due[i]
			w, ok := hooks[d.WebhookID]
			if !ok {
				if w, err = tx.Webhook(d.WebhookID); err != nil && !trustmark.IsKind(err, trustmark.KindNotFound) {
					return err
				}
				hooks[d.WebhookID] = w
			}
			var key []byte
			switch {
			case w == nil:
				d.LastError = "abandoned: the webhook was deleted"
			case len(w.Secret) < aead.NonceSize():
				d.LastError = "abandoned: the webhook's secret is missing"
			default:
				if key, err = aead.Open(nil, w.Secret[:aead.NonceSize()], w.Secret[aead.NonceSize():], sealAD(w.OrgID, w.URL)); err != nil {
					key = nil
					d.LastError = "abandoned: the webhook's secret does not open under this server's webhook key"
				}
			}
			if key == nil {
				d.NextTry = deliveryAbandoned
				if err := tx.UpdateDelivery(d); err != nil {
					return err
				}
				continue
			}
			d.NextTry = now.Add(deliveryLease)
			if err := tx.UpdateDelivery(d); err != nil {
				return err
			}
			out = append(out, PendingDelivery{Delivery: *d, URL: w.URL, Secret: key})
		}
		return nil
	})
	return out, err
}

// RecordDelivery records the outcome of one attempt: sent (sendErr nil),
// or failed, to be retried with exponential backoff (30 s doubling, at
// most 6 h apart) until 24 hours after it was queued, then abandoned.
func (p *Program) RecordDelivery(ctx context.Context, d *trustmark.Delivery, sendErr error) error {
	return p.transact(ctx, func(tx trustmark.Tx) error {
		now := p.Now()
		d.Attempts++
		if sendErr == nil {
			d.SentAt, d.LastError = &now, ""
			return tx.UpdateDelivery(d)
		}
		d.LastError = truncate(sendErr.Error(), 500)
		wait := deliveryFirstRetry << min(d.Attempts-1, 20)
		if wait > deliveryMaxWait || wait <= 0 {
			wait = deliveryMaxWait
		}
		d.NextTry = now.Add(wait)
		if d.NextTry.Sub(d.CreatedAt) > deliveryGiveUp {
			d.NextTry = deliveryAbandoned
			d.LastError = truncate(fmt.Sprintf("abandoned after %d attempts over 24 hours; last error: %s", d.Attempts, sendErr), 500)
		}
		return tx.UpdateDelivery(d)
	})
}
