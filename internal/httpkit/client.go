package httpkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/baseflow/baseflow/internal/redact"
)

// Defaults of a Client.
const (
	// DefaultUserAgent is sent when Client.UserAgent is empty.
	DefaultUserAgent = "baseflow"
	// DefaultMaxResponseBytes bounds a response body read when Client.MaxResponseBytes is 0.
	DefaultMaxResponseBytes = 32 << 20
	// maxErrorBody bounds the error body read for its message.
	maxErrorBody = 64 << 10
	// maxMessage bounds the server message kept in an Error, in characters.
	maxMessage = 300
)

// Client sends JSON requests to one REST API. Its fields are set once, before first use; it is
// then safe for concurrent use.
type Client struct {
	// BaseURL is prefixed to every request path, e.g. "https://dev.azure.com" or
	// "https://ghe.example.com/api/v3".
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Header is sent with every request: credentials, Accept, API version.
	Header http.Header
	// UserAgent is the User-Agent header; "" means DefaultUserAgent.
	UserAgent string
	// Redactor removes secrets from error messages and logs; nil removes URL userinfo only.
	Redactor *redact.Redactor
	// Retry bounds the retries; the zero value makes none.
	Retry Retry
	// ShowHost makes errors and logs name a request by its full URL (without credentials)
	// instead of its path.
	ShowHost bool
	// MaxResponseBytes bounds a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Logger receives one debug line per request and one warning per retry; nil discards.
	Logger *slog.Logger
	// Sleep waits between attempts; nil means a timer that stops when ctx is done.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Response is the part of a successful response callers may need.
type Response struct {
	StatusCode int
	Header     http.Header
}

// Do sends method to path (already escaped, starting with "/", possibly with a query) with
// query added, and decodes a JSON response into out unless out is nil. body is nil (no body),
// a []byte sent verbatim as JSON, or a value encoded as JSON. A 2xx answer (but 203) is a
// success; any other is an *Error.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*Response, error) {
	u, err := url.Parse(strings.TrimSuffix(c.BaseURL, "/") + path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: invalid URL: %w", method, c.Redactor.Redact(path), err)
	}
	if len(query) > 0 {
		q := u.Query()
		for k, v := range query {
			q[k] = v
		}
		u.RawQuery = q.Encode()
	}
	shown := c.shown(u)
	var payload []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		payload = b
	default:
		if payload, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("%s %s: encode request: %w", method, shown, err)
		}
	}

	log := c.logger()
	for attempt := 0; ; attempt++ {
		start := time.Now()
		resp, err := c.send(ctx, method, u, payload)
		var failure error
		var delay time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", method, shown, ctx.Err())
			}
			failure = fmt.Errorf("%s %s: %w", method, shown, c.scrub(unwrapURLError(err)))
			if attempt >= c.Retry.MaxRetries || (!idempotent(method) && !neverSent(err)) {
				return nil, failure
			}
			delay = c.Retry.backoff(attempt + 1)

		case resp.StatusCode/100 == 2 && resp.StatusCode != http.StatusNonAuthoritativeInfo:
			err := c.decode(resp, out)
			log.Debug("request", "method", method, "url", shown, "status", resp.StatusCode, "attempt", attempt+1,
				"duration", time.Since(start).Round(time.Millisecond))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %s: %w", method, shown, resp.Status, err)
			}
			return &Response{StatusCode: resp.StatusCode, Header: resp.Header}, nil

		default:
			herr := c.httpError(method, shown, resp)
			log.Debug("request", "method", method, "url", shown, "status", resp.StatusCode, "attempt", attempt+1,
				"duration", time.Since(start).Round(time.Millisecond))
			if !idempotent(method) || !retryableStatus(resp) || attempt >= c.Retry.MaxRetries {
				return nil, herr
			}
			if wait, ok := serverDelay(resp.Header, time.Now()); ok {
				if c.Retry.tooLong(wait) {
					log.Warn("not retrying: the server asks to wait too long", "method", method, "url", shown, "wait", wait)
					return nil, herr
				}
				delay = wait
			} else {
				delay = c.Retry.backoff(attempt + 1)
			}
			failure = herr
		}
		log.Warn("request failed; retrying", "method", method, "url", shown, "attempt", attempt+1, "delay", delay, "error", failure)
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", failure, serr)
		}
	}
}

func (c *Client) send(ctx context.Context, method string, u *url.URL, payload []byte) (*http.Response, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	req.Header.Set("User-Agent", ua)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

// shown is how errors and logs name a request.
func (c *Client) shown(u *url.URL) string {
	if !c.ShowHost {
		return u.EscapedPath()
	}
	v := *u
	v.User = nil
	return v.String()
}

// decode reads a JSON answer into out (or discards it when out is nil), and closes the body.
func (c *Client) decode(resp *http.Response, out any) error {
	defer resp.Body.Close()
	limit := c.MaxResponseBytes
	if limit <= 0 {
		limit = DefaultMaxResponseBytes
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // keep the connection reusable
		return nil
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return fmt.Errorf("expected a JSON response, got %q", ct)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("read response: %w", c.scrub(err))
	}
	if int64(len(data)) > limit {
		return fmt.Errorf("response larger than %d bytes", limit)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

func (c *Client) httpError(method, shown string, resp *http.Response) *Error {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := serverMessage(data)
	if resp.StatusCode == http.StatusNonAuthoritativeInfo {
		// Azure DevOps answers a missing or rejected token with a sign-in page and 203.
		msg = "the server answered with a sign-in page: the token is missing, expired or lacks the required scope"
	}
	return &Error{
		Method:     method,
		URL:        shown,
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Message:    trim(c.Redactor.Redact(msg), maxMessage),
	}
}

// scrub redacts a transport error's text, keeping nothing of its chain but the text: the
// chain could hold the request URL with credentials.
func (c *Client) scrub(err error) error {
	msg := err.Error()
	if red := c.Redactor.Redact(msg); red != msg {
		return errors.New(red)
	}
	return err
}

// serverMessage extracts the "message" of a JSON error body, or returns the text.
func serverMessage(data []byte) string {
	var body struct {
		Message  string `json:"message"`
		Message2 string `json:"Message"`
	}
	if json.Unmarshal(data, &body) == nil {
		if body.Message != "" {
			return body.Message
		}
		if body.Message2 != "" {
			return body.Message2
		}
	}
	return string(data)
}

// trim collapses whitespace to single spaces and cuts s to at most n runes.
func trim(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// unwrapURLError drops url.Error's wrapping, whose text repeats the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
