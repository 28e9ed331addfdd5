package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxResponseBytes is the default cap on a response body: larger
// bodies fail to read instead of filling memory. A full registry page, a
// catalog or a piece of evidence is well under it.
const DefaultMaxResponseBytes = 16 << 20

// DefaultTimeout is the timeout of the http.Client New uses unless
// WithHTTPClient gives another.
const DefaultTimeout = 30 * time.Second

// maxErrorBytes caps how much of an error response is read.
const maxErrorBytes = 64 << 10

// Client calls one trustmark server. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	token     string
	http      *http.Client
	userAgent string
	maxBody   int64
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc (for its
// transport, proxy, TLS settings or timeout) instead of an http.Client with
// DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithUserAgent sets the User-Agent header of every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithMaxResponseBytes caps response bodies at n bytes (default
// DefaultMaxResponseBytes); n ≤ 0 keeps the default.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// New returns a Client of the server at baseURL, an http or https URL such
// as "https://labels.example.org" (a path prefix is kept, for servers behind
// a proxy). token is the API token sent as "Authorization: Bearer <token>";
// an empty token makes anonymous calls, enough for the public registry,
// the directory and complaints. New fails only on a malformed baseURL.
func New(baseURL, token string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("trustmark client: base URL %q must be an absolute http:// or https:// URL", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("trustmark client: base URL %q must not have a query or fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	c := &Client{
		base:      u,
		token:     strings.TrimSpace(token),
		http:      &http.Client{Timeout: DefaultTimeout},
		userAgent: "trustmark-client/1",
		maxBody:   DefaultMaxResponseBytes,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// String describes the client by its server; it never shows the token, so
// a Client printed by mistake leaks nothing.
func (c *Client) String() string { return "trustmark client of " + c.base.String() }

// GoString is String, for %#v.
func (c *Client) GoString() string { return c.String() }

// BaseURL returns the server's base URL as the Client uses it.
func (c *Client) BaseURL() string { return c.base.String() }

// apiPath joins path segments under /api/v1, escaping each one, so that an
// ID can never change which route a request reaches.
func apiPath(segments ...string) string {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// send makes one request and returns the response when its status is 2xx;
// any other status becomes an *Error and the body is closed. in, when not
// nil, is sent as JSON. The caller closes a returned response's body.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, in any) (*http.Response, error) {
	if in == nil {
		return c.sendBody(ctx, method, path, query, "", nil)
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("trustmark client: encode %s %s: %w", method, path, err)
	}
	return c.sendBody(ctx, method, path, query, "application/json", b)
}

// sendBody is send with a body as it is (nil: none), sent with
// contentType: the JSON of send, or a standards document such as an SBOM.
func (c *Client) sendBody(ctx context.Context, method, path string, query url.Values, contentType string, b []byte) (*http.Response, error) {
	var body io.Reader
	if b != nil {
		body = bytes.NewReader(b)
	}
	// path is already escaped segment by segment; joining strings keeps an
	// escaped "/" inside an ID from becoming a path separator.
	u := c.base.String() + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("trustmark client: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("trustmark client: %w", err) // *url.Error names the method and URL
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer drain(resp.Body)
		return nil, errorFrom(resp)
	}
	return resp, nil
}

// do makes one request and decodes the JSON response into out (nil: the
// body is discarded).
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	resp, err := c.send(ctx, method, path, query, in)
	if err != nil {
		return err
	}
	defer drain(resp.Body)
	return c.decode(resp, out)
}

// decode reads a JSON response into out (nil: the body is discarded).
func (c *Client) decode(resp *http.Response, out any) error {
	if out == nil {
		return nil
	}
	b, err := c.read(resp)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("trustmark client: %s %s: the response is not the expected JSON: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return nil
}

// read reads a response body up to the Client's cap.
func (c *Client) read(resp *http.Response) ([]byte, error) {
	return readCapped(resp, c.maxBody)
}

// readCapped reads a response body of at most limit bytes.
func readCapped(resp *http.Response, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("trustmark client: read response: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("trustmark client: the response to %s %s is larger than %d bytes", resp.Request.Method, resp.Request.URL.Path, limit)
	}
	return b, nil
}

// raw makes a GET request and returns the body as it came.
func (c *Client) raw(ctx context.Context, path string) (json.RawMessage, error) {
	resp, err := c.send(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	defer drain(resp.Body)
	return c.read(resp)
}

// drain reads a little of what is left of a body, so the connection can be
// reused, and closes it.
func drain(body io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(body, 4<<10))
	body.Close()
}

// itemsOf is the envelope of every listing: {"items": [...]}.
type itemsOf[T any] struct {
	Items []T `json:"items"`
}

// list GETs a listing and returns its items (never nil on success).
func list[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var out itemsOf[T]
	if err := c.do(ctx, http.MethodGet, path, query, nil, &out); err != nil {
		return nil, err
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out.Items, nil
}

// one makes a request whose response is one JSON value of type T.
func one[T any](ctx context.Context, c *Client, method, path string, in any) (*T, error) {
	var out T
	if err := c.do(ctx, method, path, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// queryOf builds a query string from name/value pairs, leaving out empty values.
func queryOf(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	return q
}

// need fails, before any request is made, when one of the IDs a path
// needs is empty: an empty path segment would reach another route.
func need(ids ...string) error {
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return &Error{Code: CodeInvalid, Message: "an ID argument is empty"}
		}
	}
	return nil
}
