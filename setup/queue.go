package setup

import (
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/backends"
	"github.com/baseflow/baseflow/subscription"
)

// QueueSettings say where and with which guards rebuilds are queued; see backends.Settings.
type QueueSettings = backends.Settings

// NewDispatcher returns a dispatcher with the backend clients subs need, and only those; see
// backends.NewDispatcher.
func NewDispatcher(s QueueSettings, subs []subscription.Subscription) (*dispatch.Dispatcher, error) {
	return backends.NewDispatcher(s, subs)
}
