package watch

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
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
// 401 and nothing changes. A body over Config.MaxBodyBytes gets 413, one in no known format
// 400, and a body whose events were taken in 202 with the counts of accepted, duplicate and
// ignored events. Events are in the journal before the 202 is sent; when the journal cannot
// record them the answer is 503, for the registry to deliver them again.
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
		writeJSON(rw, status, map[string]string{"error": msg})
	}

	ok, needBody := w.auth.authorized(r)
	if !ok && !needBody {
		reject(http.StatusUnauthorized, RejectUnauthorized, "missing or wrong shared secret")
		return
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
	if !ok && !w.auth.verify(r, body) {
		reject(http.StatusUnauthorized, RejectUnauthorized, "wrong "+SignatureHeader)
		return
	}
	events, err := Parse(format, body)
	if err != nil {
		reject(http.StatusBadRequest, RejectBadRequest, err.Error())
		return
	}
	var reply webhookReply
	for _, e := range events {
		kind, err := w.Accept(e)
		if err != nil {
			// The events accepted before this one are journaled; a redelivery finds them
			// duplicates.
			w.stats.reject(RejectUnavailable)
			log.Error("could not record an event; asking the sender to deliver it again", "event", e.String(), "err", err)
			writeJSON(rw, http.StatusServiceUnavailable, map[string]string{"error": "the event could not be recorded; deliver it again"})
			return
		}
		switch kind {
		case KindAccepted:
			reply.Accepted++
		case KindDuplicate:
			reply.Duplicates++
			log.Debug("duplicate delivery", "event", e.String())
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
