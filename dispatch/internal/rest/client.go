package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/baseflow/baseflow/dispatch"
)

// maxResponse bounds how much of a response body is decoded.
const maxResponse = 32 << 20

// Client sends JSON requests to one REST API. Its fields are set once, before first use.
type Client struct {
	// BaseURL is prefixed to every request path, e.g. "https://dev.azure.com".
	BaseURL string
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Header is sent with every request: credentials, Accept, API version.
	Header http.Header
	// Secrets are removed from every error message.
	Secrets []string
	// Retry bounds the retries.
	Retry Retry
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

// Do sends method to path (already escaped, starting with "/") with query, and decodes a
// JSON response into out unless out is nil. body is nil (no body), a []byte sent verbatim as
// JSON, or a value encoded as JSON.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*Response, error) {
	u, err := url.Parse(strings.TrimSuffix(c.BaseURL, "/") + path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: invalid URL: %w", method, path, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	path = u.EscapedPath()
	var payload []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		payload = b
	default:
		if payload, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
	}

	log := c.logger()
	attempts := c.Retry.attempts()
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, method, u, payload)
		var delay time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, ctx.Err())
			}
			err = fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))
			// A request whose connection was never made cannot have reached the server.
			if attempt >= attempts || (method != http.MethodGet && !isDialError(err)) {
				return nil, err
			}
			delay = c.Retry.backoff(attempt)
			log.Warn("request failed; retrying", "method", method, "path", path, "attempt", attempt, "delay", delay, "err", err)

		case resp.StatusCode/100 == 2 && resp.StatusCode != http.StatusNonAuthoritativeInfo:
			log.Debug("request", "method", method, "path", path, "status", resp.StatusCode, "attempt", attempt)
			defer func() {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // keep the connection reusable
				resp.Body.Close()
			}()
			if out != nil && resp.StatusCode != http.StatusNoContent {
				if err := decode(resp, out); err != nil {
					return nil, fmt.Errorf("%s %s: %s: %w", method, path, resp.Status, err)
				}
			}
			return &Response{StatusCode: resp.StatusCode, Header: resp.Header}, nil

		default:
			herr := c.httpError(method, path, resp)
			log.Debug("request", "method", method, "path", path, "status", resp.StatusCode, "attempt", attempt)
			if method != http.MethodGet || !retryableStatus(resp) || attempt >= attempts {
				return nil, herr
			}
			if wait, ok := serverDelay(resp.Header, time.Now()); ok {
				if wait > c.Retry.maxRetryAfter() {
					log.Warn("not retrying: the server asks to wait too long", "method", method, "path", path, "wait", wait)
					return nil, herr
				}
				delay = wait
			} else {
				delay = c.Retry.backoff(attempt)
			}
			err = herr
			log.Warn("request failed; retrying", "method", method, "path", path, "attempt", attempt, "delay", delay, "status", resp.StatusCode)
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			return nil, fmt.Errorf("%w (gave up waiting to retry: %w)", err, serr)
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
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

func decode(resp *http.Response, out any) error {
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return fmt.Errorf("expected a JSON response, got %q", ct)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

func (c *Client) httpError(method, path string, resp *http.Response) *dispatch.HTTPError {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	msg := serverMessage(data)
	if resp.StatusCode == http.StatusNonAuthoritativeInfo {
		// Azure DevOps answers a missing or rejected token with a sign-in page and 203.
		msg = "the server answered with a sign-in page: the token is missing, expired or lacks the required scope"
	}
	return &dispatch.HTTPError{
		Method:     method,
		Path:       path,
		StatusCode: resp.StatusCode,
		Status:     resp.Status,
		Message:    trim(redact(msg, c.Secrets), 300),
	}
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

// unwrapURLError drops url.Error's wrapping, whose text repeats the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
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
