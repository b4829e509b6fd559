package checkflags

import (
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/check"
)

// ProgressLine summarises one checked subscription:
// "dotnet/dotnet-docker/main/manifest.json: 22 bases, 4 stale".
func ProgressLine(r *check.SubscriptionResult) string {
	switch r.Status() {
	case check.StatusSkipped:
		return r.Subscription.ID() + ": skipped (os type " + r.Subscription.OSType + ")"
	case check.StatusFailed:
		msg := r.Err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i] + " …"
		}
		return fmt.Sprintf("%s: failed: %s", r.Subscription.ID(), msg)
	}
	return fmt.Sprintf("%s: %d bases, %d stale", r.Subscription.ID(), len(r.Lookups), len(r.Paths()))
}
