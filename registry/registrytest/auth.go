package registrytest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	tokenPath    = "/token"
	tokenService = "registrytest"
)

// requireToken serves the token endpoint and lets through only requests whose bearer token
// grants the action they need on their repository.
func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == tokenPath {
			s.serveToken(w, r)
			return
		}
		rt, ok := parseRoute(r.URL.Path)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		action := "pull"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			action = "push"
		}
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		grants, known := s.tokens[token]
		allowed := known && (rt.kind == "base" || grants[rt.name+":"+action])
		s.mu.Unlock()
		if allowed {
			next.ServeHTTP(w, r)
			return
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		challenge := fmt.Sprintf(`Bearer realm="%s://%s%s",service="%s"`, scheme, r.Host, tokenPath, tokenService)
		if rt.kind != "base" {
			actions := "pull"
			if action == "push" {
				actions = "pull,push"
			}
			challenge += fmt.Sprintf(`,scope="repository:%s:%s"`, rt.name, actions)
		}
		w.Header().Set("WWW-Authenticate", challenge)
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	})
}

// serveToken issues a token for the requested scopes: every action to a caller with the
// configured Basic credentials, pull alone to an anonymous caller when anonymous pull is on.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	user, pass, hasCreds := r.BasicAuth()
	switch {
	case hasCreds && (s.cfg.username == "" ||
		subtle.ConstantTimeCompare([]byte(user), []byte(s.cfg.username)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(s.cfg.password)) != 1):
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid credentials")
		return
	case !hasCreds && !s.cfg.anonymousPull:
		w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "credentials required")
		return
	}
	grants := make(map[string]bool)
	for _, param := range r.URL.Query()["scope"] {
		for _, scope := range strings.Fields(param) {
			// repository:<name>:<actions>; the name may not contain ':' in this registry.
			parts := strings.Split(scope, ":")
			if len(parts) != 3 || parts[0] != "repository" {
				continue
			}
			for _, action := range strings.Split(parts[2], ",") {
				if hasCreds || action == "pull" {
					grants[parts[1]+":"+action] = true
				}
			}
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	s.mu.Lock()
	s.tokens[token] = grants
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token":        token,
		"access_token": token,
		"expires_in":   300,
		"issued_at":    time.Now().UTC().Format(time.RFC3339),
	})
}
