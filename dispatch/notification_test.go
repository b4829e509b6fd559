package dispatch_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/baseflow/baseflow/dispatch"
)

func TestNotification(t *testing.T) {
	t.Parallel()
	sub := loadSubs(t)[0]
	base := dispatch.Result{
		SubscriptionID: mainID,
		Paths:          []string{"src/runtime/8.0/bookworm-slim/amd64", "src/aspnet/8.0/bookworm-slim/amd64"},
	}
	withOutcome := func(o dispatch.Outcome, f func(*dispatch.Result)) dispatch.Result {
		r := base
		r.Outcome = o
		if f != nil {
			f(&r)
		}
		return r
	}
	failedRuns := []dispatch.Run{{ID: 11, WebURL: "https://ci.example/11"}, {ID: 10, WebURL: "https://ci.example/10"}, {ID: 9, WebURL: "https://ci.example/9"}}
	tests := []struct {
		name       string
		result     dispatch.Result
		reasons    map[string]string
		wantTitle  string
		wantLabels []string
		wantBody   string
	}{
		{
			name: "queued",
			result: withOutcome(dispatch.Queued, func(r *dispatch.Result) {
				r.Run = dispatch.Run{ID: 2002, WebURL: "https://dev.azure.com/dnceng/internal/_build/results?buildId=2002"}
			}),
			reasons: map[string]string{
				"src/runtime/8.0/bookworm-slim/amd64": "debian:bookworm-slim moved\nfrom sha256:aaa to sha256:bbb.",
			},
			wantTitle:  "AutoBuilder - Queued - " + mainID,
			wantLabels: []string{"notify-autobuilder", "notify-dotnet-docker-main"},
			wantBody: "# AutoBuilder - Queued\n\nSubscription: dotnet/dotnet-docker/main/manifest.json\n\nPaths to rebuild:\n\n" +
				"* `src/aspnet/8.0/bookworm-slim/amd64`\n" +
				"* `src/runtime/8.0/bookworm-slim/amd64`: debian:bookworm-slim moved from sha256:aaa to sha256:bbb.\n\n" +
				"The following build was queued: [Build Link](https://dev.azure.com/dnceng/internal/_build/results?buildId=2002)\n\n" +
				"<!--NOTIFICATION METADATA:{\n  \"BuildId\": 2002\n}-->\n",
		},
		{
			name: "skipped",
			result: withOutcome(dispatch.SkippedActive, func(r *dispatch.Result) {
				r.Runs = []dispatch.Run{{ID: 7, WebURL: "https://ci.example/7"}}
			}),
			wantTitle:  "AutoBuilder - Skipped - " + mainID,
			wantLabels: []string{"notify-autobuilder", "notify-dotnet-docker-main"},
			wantBody: "# AutoBuilder - Skipped\n\nSubscription: dotnet/dotnet-docker/main/manifest.json\n\nPaths to rebuild:\n\n" +
				"* `src/aspnet/8.0/bookworm-slim/amd64`\n* `src/runtime/8.0/bookworm-slim/amd64`\n\n" +
				"The build was not queued because these runs are already active; they will pick up the new base images:\n\n" +
				"* [Run 7](https://ci.example/7)\n\n" +
				"<!--NOTIFICATION METADATA:{\n  \"BuildId\": null\n}-->\n",
		},
		{
			name:       "breaker",
			result:     withOutcome(dispatch.BreakerTripped, func(r *dispatch.Result) { r.Runs = failedRuns }),
			wantTitle:  "AutoBuilder - Failed - " + mainID,
			wantLabels: []string{"notify-autobuilder", "notify-dotnet-docker-main"},
			wantBody: "# AutoBuilder - Failed\n\nSubscription: dotnet/dotnet-docker/main/manifest.json\n\nPaths to rebuild:\n\n" +
				"* `src/aspnet/8.0/bookworm-slim/amd64`\n* `src/runtime/8.0/bookworm-slim/amd64`\n\n" +
				"The build was not queued because the last 3 runs failed. Fix the cause, then queue a build manually:\n\n" +
				"* [Run 11](https://ci.example/11)\n* [Run 10](https://ci.example/10)\n* [Run 9](https://ci.example/9)\n\n" +
				"<!--NOTIFICATION METADATA:{\n  \"BuildId\": null\n}-->\n",
		},
		{
			name:       "error",
			result:     withOutcome(dispatch.Failed, func(r *dispatch.Result) { r.Err = errors.New("POST /x: 500 Internal Server Error") }),
			wantTitle:  "AutoBuilder - Failed - " + mainID,
			wantLabels: []string{"notify-autobuilder", "notify-dotnet-docker-main", "notify-failure"},
			wantBody: "# AutoBuilder - Failed\n\nSubscription: dotnet/dotnet-docker/main/manifest.json\n\nPaths to rebuild:\n\n" +
				"* `src/aspnet/8.0/bookworm-slim/amd64`\n* `src/runtime/8.0/bookworm-slim/amd64`\n\n" +
				"The build could not be queued:\n\n```\nPOST /x: 500 Internal Server Error\n```\n\n" +
				"<!--NOTIFICATION METADATA:{\n  \"BuildId\": null\n}-->\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n := dispatch.Notification{Subscription: sub, Result: tt.result, Reasons: tt.reasons}
			assert.Equal(t, tt.wantTitle, n.Title())
			assert.Equal(t, tt.wantLabels, n.Labels())
			assert.Equal(t, tt.wantBody, n.Body())
			assert.Equal(t, tt.result.Outcome == dispatch.Failed, n.Failure())
		})
	}
}
