package githubsource

import (
	"context"
	"net/http"
)

const (
	// maxResponseSize bounds an API answer: a 100 MB blob (GitHub's file size limit) is about
	// 134 MB of base64 in JSON.
	maxResponseSize = 256 << 20
	userAgent       = "baseflow-githubsource"
)

// get sends GET <base URL><apiPath> (apiPath already escaped) and decodes the 2xx answer into
// v (or discards it when v is nil), retrying as the retry options allow.
func (s *Source) get(ctx context.Context, apiPath string, v any) error {
	_, err := s.api.Do(ctx, http.MethodGet, apiPath, nil, nil, v)
	return err
}
