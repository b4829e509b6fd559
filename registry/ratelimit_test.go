package registry_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/registry"
)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		limit, remaining string
		want             registry.RateLimit
		ok               bool
	}{
		{"docker hub", "100;w=21600", "76;w=21600", registry.RateLimit{Limit: 100, Remaining: 76, Window: 6 * time.Hour}, true},
		{"no window", "200", "0", registry.RateLimit{Limit: 200}, true},
		{"spaces", " 100 ; w=60 ", " 5;w=60", registry.RateLimit{Limit: 100, Remaining: 5, Window: time.Minute}, true},
		{"window only on remaining", "100", "5;w=60", registry.RateLimit{Limit: 100, Remaining: 5, Window: time.Minute}, true},
		{"absent", "", "", registry.RateLimit{}, false},
		{"limit only", "100;w=60", "", registry.RateLimit{}, false},
		{"garbage", "lots", "5", registry.RateLimit{}, false},
		{"negative", "-1", "5", registry.RateLimit{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.limit != "" {
				h.Set("ratelimit-limit", tt.limit)
			}
			if tt.remaining != "" {
				h.Set("ratelimit-remaining", tt.remaining)
			}
			got, ok := registry.ParseRateLimit(h)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}
