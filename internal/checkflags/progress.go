package checkflags

import (
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/subscription"
)

// ProgressLine summarises one checked subscription:
// "dotnet/dotnet-docker/main/manifest.json: 22 bases, 4 stale".
func ProgressLine(r *subscription.Result) string {
	switch r.Status() {
	case subscription.StatusSkipped:
		return r.Subscription.ID() + ": skipped (os type " + r.Subscription.OSType + ")"
	case subscription.StatusFailed:
		msg := r.Err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i] + " …"
		}
		return fmt.Sprintf("%s: failed: %s", r.Subscription.ID(), msg)
	}
	return fmt.Sprintf("%s: %d bases, %d stale", r.Subscription.ID(), len(r.Lookups), len(r.Paths()))
}
