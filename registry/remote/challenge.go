package remote

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// hosts is what the client learnt about each registry host ("host:port" as in request URLs)
// during a run: whether it has answered yet, and the Bearer challenge it answers
// unauthenticated requests with.
type hosts struct {
	mu sync.Mutex
	m  map[string]*hostState
}

type hostState struct {
	answered chan struct{}
	once     sync.Once

	mu        sync.Mutex
	challenge *challenge // nil until the host answered 401 with a Bearer challenge
}

// challenge is the part of a host's Bearer challenge that does not depend on the repository.
type challenge struct{ realm, service string }

// get returns host's state, and whether the caller is the first to ask for it.
func (h *hosts) get(host string) (*hostState, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.m[host]; ok {
		return s, false
	}
	if h.m == nil {
		h.m = make(map[string]*hostState)
	}
	s := &hostState{answered: make(chan struct{})}
	h.m[host] = s
	return s, true
}

// lookup returns host's state, nil when the client has not addressed it yet.
func (h *hosts) lookup(host string) *hostState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[host]
}

// markAnswered lets the requests waiting for the host's first answer go.
func (s *hostState) markAnswered() { s.once.Do(func() { close(s.answered) }) }

// wait blocks until the host has answered a first request.
func (s *hostState) wait(ctx context.Context) error {
	select {
	case <-s.answered:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *hostState) bearer() *challenge {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.challenge
}

func (s *hostState) learn(c *challenge) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.challenge = c
}

// challengeTransport saves the 401 round trip a registry would otherwise answer every
// repository's first, unauthenticated, request with. Once a host has answered with a Bearer
// challenge, a pull request to that host that carries no credentials gets the same challenge
// at once, from here, with the scope of its own repository: oras-go's auth.Client then asks
// the realm for that repository's token and sends the request with it, as it would after a
// real 401. A token is never asked for more than pull of the repository the request names.
//
// oras-go keeps the challenge's scheme per host, but not its realm and service, and asks for a
// token only after a 401; so this layer sits under auth.Client, above the retry, timeout and
// counting layers (a local challenge is not a request and is not counted).
type challengeTransport struct {
	base  http.RoundTripper
	hosts *hosts
	stats *stats
}

func (t *challengeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	repo, ok := repositoryOf(req.URL.Path)
	pull := ok && (req.Method == http.MethodGet || req.Method == http.MethodHead)
	state := t.hosts.lookup(req.URL.Host)
	if pull && state != nil && req.Header.Get("Authorization") == "" {
		if c := state.bearer(); c != nil {
			return c.response(req, repo), nil
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, "/v2/") {
		return resp, err
	}
	if state == nil {
		state, _ = t.hosts.get(req.URL.Host)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		t.stats.challenged()
		if c, ok := parseBearer(resp.Header.Values("WWW-Authenticate")); ok {
			state.learn(c)
		}
	}
	state.markAnswered()
	return resp, nil
}

// response is the 401 the host would have answered req with.
func (c *challenge) response(req *http.Request, repo string) *http.Response {
	v := `Bearer realm=` + quote(c.realm)
	if c.service != "" {
		v += `,service=` + quote(c.service)
	}
	v += `,scope="repository:` + repo + `:pull"`
	return &http.Response{
		Status:     "401 Unauthorized",
		StatusCode: http.StatusUnauthorized,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     http.Header{"Www-Authenticate": {v}},
		Body:       http.NoBody,
		Request:    req,
	}
}

// quote returns s as an RFC 7230 quoted string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// repositoryOf returns the repository name of a /v2/<name>/manifests/… or /v2/<name>/blobs/…
// path.
func repositoryOf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return "", false
	}
	for _, sep := range []string{"/manifests/", "/blobs/"} {
		if i := strings.LastIndex(rest, sep); i > 0 {
			return rest[:i], true
		}
	}
	return "", false
}

// parseBearer returns the realm and service of the first Bearer challenge among values (RFC
// 7235 section 4.1: auth-params of tokens or quoted strings). oras-go parses challenges too,
// but does not export its parser.
func parseBearer(values []string) (*challenge, bool) {
	for _, v := range values {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(scheme, "Bearer") {
			continue
		}
		params := parseAuthParams(rest)
		if params["realm"] == "" {
			continue
		}
		return &challenge{realm: params["realm"], service: params["service"]}, true
	}
	return nil, false
}

// parseAuthParams parses `key=value, key="quoted \" value"` into lower-case keys and
// unquoted values. It stops at the first malformed parameter.
func parseAuthParams(s string) map[string]string {
	params := make(map[string]string)
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return params
		}
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			return params
		}
		key = strings.ToLower(strings.TrimSpace(key))
		rest = strings.TrimLeft(rest, " \t")
		var val strings.Builder
		if strings.HasPrefix(rest, `"`) {
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				val.WriteByte(rest[i])
			}
			if i >= len(rest) {
				return params // unterminated quoted string
			}
			s = rest[i+1:]
		} else {
			end := strings.IndexAny(rest, ", \t")
			if end < 0 {
				end = len(rest)
			}
			val.WriteString(rest[:end])
			s = rest[end:]
		}
		params[key] = val.String()
	}
}
