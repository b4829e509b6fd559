package watch

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve serves the Handler on ln and runs the Watcher (see Run) until ctx ends. It then shuts
// down gracefully: it stops accepting connections, lets requests in progress finish (their
// events are journaled before they are answered), then stops the Watcher, waiting up to
// ShutdownTimeout for each step. It returns nil after a shutdown asked for by ctx, or the
// error that stopped the server.
func (w *Watcher) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		IdleTimeout:       2 * time.Minute,
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
