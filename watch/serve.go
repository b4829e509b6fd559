package watch

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"
)

// IdleTimeout is how long Serve keeps an idle keep-alive connection open.
const IdleTimeout = 30 * time.Second

// Serve serves the Handler on ln and runs the Watcher (see Run) until ctx ends. It holds at
// most Config.MaxConnections connections at once (golang.org/x/net/netutil.LimitListener;
// further ones wait to be accepted), gives a request HeaderTimeout to send its headers and
// BodyTimeout more for its body, and closes idle connections after IdleTimeout, so that slow
// or silent senders cannot pile up. It then shuts
// down gracefully: it stops accepting connections, lets requests in progress finish (their
// events are journaled before they are answered), then stops the Watcher, waiting up to
// ShutdownTimeout for each step. It returns nil after a shutdown asked for by ctx, or the
// error that stopped the server.
func (w *Watcher) Serve(ctx context.Context, ln net.Listener) error {
	if w.cfg.MaxConnections > 0 {
		ln = netutil.LimitListener(ln, w.cfg.MaxConnections)
	}
	srv := &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: w.cfg.HeaderTimeout,
		ReadTimeout:       w.cfg.HeaderTimeout + w.cfg.BodyTimeout,
		WriteTimeout:      w.cfg.HeaderTimeout + w.cfg.BodyTimeout + 30*time.Second,
		IdleTimeout:       IdleTimeout,
		ErrorLog:          slog.NewLogLogger(w.log.Handler(), slog.LevelDebug),
	}
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(runCtx) }()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	w.log.Info("listening", "addr", ln.Addr().String())

	var err error
	select {
	case <-ctx.Done():
		w.log.Info("shutting down")
	case err = <-serveErr:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), w.cfg.ShutdownTimeout)
	if serr := srv.Shutdown(shutdownCtx); serr != nil {
		_ = srv.Close()
	}
	cancel()
	stopRun()
	if rerr := <-runErr; err == nil {
		err = rerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
