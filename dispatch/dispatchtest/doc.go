// Package dispatchtest provides an in-memory dispatch backend that records what is queued,
// for tests and demos, in the spirit of net/http/httptest.
//
// A [Recorder] opens pipelines for both CI systems and is a [dispatch.Notifier] too; give it
// to a Dispatcher, configure each pipeline's active runs and history, then assert on
// [Recorder.Queued], [Recorder.Calls] and [Recorder.Notifications]. A queued run becomes active
// in its pipeline, so a second dispatch of the same work is skipped, as on a real server.
package dispatchtest
