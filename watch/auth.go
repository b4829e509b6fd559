package watch

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MinSecretLength is the shortest shared secret New accepts, in bytes (after surrounding
// white space is trimmed): 16 bytes of a random secret are 128 bits.
const MinSecretLength = 16

// ErrShortSecret is returned (wrapped) by New for a shared secret shorter than
// MinSecretLength.
var ErrShortSecret = errors.New("watch: the shared secret is too short")

// trimSecret returns the secret without the white space around it (a secret read from a file
// ends with a newline no sender sends) and checks its length. The error never contains the
// secret.
func trimSecret(s string) (string, error) {
	t := strings.TrimSpace(s)
	if s != "" && len(t) < MinSecretLength {
		return "", fmt.Errorf("%w: %d bytes after trimming white space, at least %d are required", ErrShortSecret, len(t), MinSecretLength)
	}
	return t, nil
}

// SignatureHeader carries an HMAC-SHA256 of the request body keyed with the shared secret,
// as "sha256=<hex>".
const SignatureHeader = "X-Baseflow-Signature"

// Sign returns the SignatureHeader value for body: "sha256=" and the hex HMAC-SHA256 of body
// keyed with secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// authenticator checks the shared secret of webhook requests.
type authenticator struct {
	secret     string
	secretHash [sha256.Size]byte
	// inURL accepts the secret as the "token" query parameter, for senders that cannot set
	// headers (Docker Hub).
	inURL bool
}

func newAuthenticator(secret string, inURL bool) *authenticator {
	if secret == "" {
		return nil
	}
	return &authenticator{secret: secret, secretHash: sha256.Sum256([]byte(secret)), inURL: inURL}
}

// equalSecret compares a presented value with the secret in constant time, whatever their
// lengths: comparing hashes keeps the secret's length out of the timing too.
func (a *authenticator) equalSecret(v string) bool {
	h := sha256.Sum256([]byte(v))
	return hmac.Equal(h[:], a.secretHash[:])
}

// authorized reports whether the request carries the secret as a bearer token (or, when
// allowed, in the URL). When it does not but has a signature header, needBody is set: the
// body decides, with verify.
func (a *authenticator) authorized(r *http.Request) (ok, needBody bool) {
	if a == nil {
		return true, false
	}
	if scheme, token, found := strings.Cut(r.Header.Get("Authorization"), " "); found && strings.EqualFold(scheme, "Bearer") {
		if a.equalSecret(strings.TrimSpace(token)) {
			return true, false
		}
	}
	if a.inURL && r.URL.Query().Has("token") && a.equalSecret(r.URL.Query().Get("token")) {
		return true, false
	}
	return false, r.Header.Get(SignatureHeader) != ""
}

// verify checks the request's signature header against body.
func (a *authenticator) verify(r *http.Request, body []byte) bool {
	got, ok := strings.CutPrefix(strings.TrimSpace(r.Header.Get(SignatureHeader)), "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(a.secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}
