package githubsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const (
	// maxResponseSize bounds an API answer: a 100 MB blob (GitHub's file size limit) is about
	// 134 MB of base64 in JSON.
	maxResponseSize = 256 << 20
	// maxErrorBody bounds the error body read for its message.
	maxErrorBody = 64 << 10
	userAgent    = "baseflow-githubsource"
)

// get sends GET <base URL><apiPath> (apiPath already escaped) and decodes the 200 answer into
// v, retrying as the retry policy allows.
func (s *Source) get(ctx context.Context, apiPath string, v any) error {
	reqURL := s.baseURL + apiPath
	for attempt := 0; ; attempt++ {
		start := time.Now()
		resp, err := s.send(ctx, reqURL)
		var failure error
		var wait time.Duration
		retry := false
		switch {
		case err != nil:
			if ctxErr := ctx.Err(); ctxErr != nil {
				return fmt.Errorf("GET %s: %w", s.shownURL(reqURL), ctxErr)
			}
			failure = fmt.Errorf("GET %s: %w", s.shownURL(reqURL), err)
			wait, retry = s.retry.backoff(attempt), attempt < s.retry.maxRetries
		case resp.StatusCode == http.StatusOK:
			err := decodeBody(resp, v)
			s.log.Debug("github request", "url", s.shownURL(reqURL), "status", resp.StatusCode,
				"duration", time.Since(start).Round(time.Millisecond),
				"rate_limit_remaining", resp.Header.Get("X-RateLimit-Remaining"))
			if err != nil {
				return fmt.Errorf("GET %s: %w", s.shownURL(reqURL), err)
			}
			return nil
		default:
			failure = &HTTPError{
				Method:     http.MethodGet,
				URL:        s.shownURL(reqURL),
				StatusCode: resp.StatusCode,
				Message:    errorMessage(resp),
			}
			wait, retry = s.retry.decide(attempt, resp, time.Now())
		}
		if !retry {
			return failure
		}
		s.log.Warn("github request failed, retrying", "error", failure, "attempt", attempt+1, "wait", wait)
		if err := s.sleep(ctx, wait); err != nil {
			return fmt.Errorf("GET %s: %w (after %w)", s.shownURL(reqURL), err, failure)
		}
	}
}

// send makes one request. The response body of a non-200 answer is read and closed by
// errorMessage, of a 200 answer by decodeBody.
func (s *Source) send(ctx context.Context, reqURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, reqURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", userAgent)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		// The *url.Error repeats the URL; the caller names it once, without credentials.
		if urlErr, ok := errors.AsType[*url.Error](err); ok {
			err = urlErr.Err
		}
		return nil, err
	}
	return resp, nil
}

// shownURL is a request URL as errors and logs show it: without any userinfo of the base URL.
func (s *Source) shownURL(reqURL string) string {
	u, err := url.Parse(reqURL)
	if err != nil {
		return "(invalid URL)"
	}
	u.User = nil
	return u.String()
}

// decodeBody reads a JSON answer into v and closes the body.
func decodeBody(resp *http.Response, v any) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if len(data) > maxResponseSize {
		return fmt.Errorf("answer larger than %d bytes", maxResponseSize)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// errorMessage returns the "message" of a GitHub error body, and closes the body.
func errorMessage(resp *http.Response) string {
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) != nil {
		return ""
	}
	return body.Message
}
