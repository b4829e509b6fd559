package watch

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Handler returns the Watcher's HTTP API:
//
//	POST /webhook               a webhook body in any known format (detected from its shape)
//	POST /webhook/distribution  a CNCF distribution notification
//	POST /webhook/dockerhub     a Docker Hub webhook
//	POST /webhook/acr           an Azure Container Registry webhook
//	GET  /healthz               200 and a JSON status
//	GET  /metrics               Prometheus text exposition of Stats
//
// A webhook request needs the shared secret (see Config.Secret): without it the answer is
// 401 and nothing changes. A bearer token (or the URL token) is checked before the body is
// read; a body that only its signature can authenticate is read in one of
// Config.MaxUnverified slots, and gets 503 with Retry-After when all are taken. A body over
// Config.MaxBodyBytes gets 413; one in no known format, or with a tag push that names no
// valid image (see EventError), 400 and nothing of it is taken in; a body whose events were
// taken in 202 with the counts of accepted, duplicate and ignored events. Events are in the
// journal before the 202 is sent; when the journal cannot record them the answer is 503,
// nothing of the body is taken in, and the registry delivers it again. Refusals close the
// connection.
func (w *Watcher) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(rw http.ResponseWriter, r *http.Request) { w.serveWebhook(rw, r, "") })
	mux.HandleFunc("POST /webhook/{format}", func(rw http.ResponseWriter, r *http.Request) {
		f := Format(r.PathValue("format"))
		if !slices.Contains(Formats, f) {
			http.NotFound(rw, r)
			return
		}
		w.serveWebhook(rw, r, f)
	})
	mux.HandleFunc("GET /healthz", w.serveHealth)
	mux.HandleFunc("GET /metrics", w.serveMetrics)
	return mux
}

// webhookReply is the JSON body of a 202.
type webhookReply struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
	Ignored    int `json:"ignored"`
}

func (w *Watcher) serveWebhook(rw http.ResponseWriter, r *http.Request, format Format) {
	log := w.log.With("remote", remoteHost(r), "path", r.URL.Path)
	reject := func(status int, reason, msg string) {
		w.stats.reject(reason)
		log.Warn("webhook request refused", "status", status, "reason", msg)
		if status == http.StatusUnauthorized {
			rw.Header().Set("WWW-Authenticate", `Bearer realm="baseflow"`)
		}
		// A refused sender does not keep its connection, nor is the rest of its body drained.
		rw.Header().Set("Connection", "close")
		writeJSON(rw, status, map[string]string{"error": msg})
	}

	// The headers decide first: a request with neither the secret nor a signature is
	// refused without reading its body.
	ok, needBody := w.auth.authorized(r)
	if !ok && !needBody {
		reject(http.StatusUnauthorized, RejectUnauthorized, "missing or wrong shared secret")
		return
	}
	if r.ContentLength > w.cfg.MaxBodyBytes {
		reject(http.StatusRequestEntityTooLarge, RejectTooLarge, "body larger than "+byteCount(w.cfg.MaxBodyBytes))
		return
	}
	// Whatever the server's own timeouts, the body must arrive within BodyTimeout (servers
	// that cannot set deadlines keep theirs).
	_ = http.NewResponseController(rw).SetReadDeadline(time.Now().Add(w.cfg.BodyTimeout))
	release := func() {}
	if !ok {
		// Only the body can authenticate this request: read it in one of the few slots
		// for unverified bodies, so that unauthenticated senders hold a bounded amount of
		// memory however many they are.
		select {
		case w.unverified <- struct{}{}:
			var once sync.Once
			release = func() { once.Do(func() { <-w.unverified }) }
			defer release()
		default:
			rw.Header().Set("Retry-After", "1")
			reject(http.StatusServiceUnavailable, RejectBusy, "too many unauthenticated requests at once; deliver it again")
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, w.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			reject(http.StatusRequestEntityTooLarge, RejectTooLarge, "body larger than "+byteCount(w.cfg.MaxBodyBytes))
			return
		}
		reject(http.StatusBadRequest, RejectBadRequest, "reading the body: "+err.Error())
		return
	}
	if !ok {
		verified := w.auth.verify(r, body)
		release()
		if !verified {
			reject(http.StatusUnauthorized, RejectUnauthorized, "wrong "+SignatureHeader)
			return
		}
	}
	events, err := Parse(format, body)
	if err != nil {
		reject(http.StatusBadRequest, RejectBadRequest, err.Error())
		return
	}
	kinds, err := w.AcceptAll(events)
	if err != nil {
		var bad *EventError
		if errors.As(err, &bad) {
			reject(http.StatusBadRequest, RejectBadRequest, err.Error())
			return
		}
		// Nothing of the body was taken in: a redelivery is handled in full.
		w.stats.reject(RejectUnavailable)
		log.Error("could not record the events; asking the sender to deliver them again", "events", len(events), "err", err)
		writeJSON(rw, http.StatusServiceUnavailable, map[string]string{"error": "the events could not be recorded; deliver them again"})
		return
	}
	var reply webhookReply
	for i, kind := range kinds {
		switch kind {
		case KindAccepted:
			reply.Accepted++
		case KindDuplicate:
			reply.Duplicates++
			log.Debug("duplicate delivery", "event", events[i].String())
		default:
			reply.Ignored++
		}
	}
	writeJSON(rw, http.StatusAccepted, reply)
}

// healthReply is the JSON body of /healthz.
type healthReply struct {
	Status        string    `json:"status"` // "starting" until the index is built, then "ok"
	Subscriptions int       `json:"subscriptions"`
	Indexed       int       `json:"indexed"`
	Pending       int       `json:"pending"`
	LastFullCheck time.Time `json:"lastFullCheck,omitzero"`
}

func (w *Watcher) serveHealth(rw http.ResponseWriter, _ *http.Request) {
	s := w.Stats()
	h := healthReply{Status: "ok", Subscriptions: len(w.order), Indexed: s.Indexed, Pending: s.Pending, LastFullCheck: s.LastFullCheck}
	select {
	case <-w.ready:
	default:
		h.Status = "starting"
	}
	writeJSON(rw, http.StatusOK, h)
}

func (w *Watcher) serveMetrics(rw http.ResponseWriter, _ *http.Request) {
	rw.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := w.Stats().WritePrometheus(rw); err != nil {
		w.log.Debug("writing metrics failed", "err", err)
	}
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// remoteHost is the sender's address without its port, for logs.
func remoteHost(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

func byteCount(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
