package registrytest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/baseflow/baseflow/registry/registrytest"
)

func newServer(t *testing.T, opts ...registrytest.Option) *registrytest.Server {
	t.Helper()
	srv := registrytest.New(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func orasRepo(t *testing.T, srv *registrytest.Server, repo string, cred auth.CredentialFunc) *orasremote.Repository {
	t.Helper()
	r, err := orasremote.NewRepository(srv.Host() + "/" + repo)
	require.NoError(t, err)
	r.PlainHTTP = true
	r.Client = &auth.Client{Cache: auth.NewCache(), Credential: cred}
	return r
}

// TestPushOverHTTPAndCopyBack pushes through the HTTP API with oras-go and copies the whole
// graph back out, which exercises uploads, manifest PUTs, GETs of blobs and tag listing.
func TestPushOverHTTPAndCopyBack(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := context.Background()
	repo := orasRepo(t, srv, "team/app", nil)
	idx, err := registrytest.PushRandomIndex(ctx, repo, "v1", ociIndex, amd64, arm64v8)
	require.NoError(t, err)
	img, err := registrytest.PushRandomImageOfType(ctx, repo, "single", dockerManifest, amd64)
	require.NoError(t, err)
	assert.Positive(t, srv.CountRequests(func(r registrytest.Request) bool { return r.Method == http.MethodPut && r.IsBlob() }))

	d, err := srv.Digest("team/app", "v1")
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d)
	require.Len(t, idx.Manifests, 2)
	assert.Equal(t, arm64v8, idx.Manifests[1].Platform)
	assert.Equal(t, ociManifest, idx.Manifests[1].MediaType)

	dst := memory.New()
	desc, err := oras.Copy(ctx, repo, "v1", dst, "v1", oras.DefaultCopyOptions)
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, desc.Digest)
	indexBody, err := content.FetchAll(ctx, dst, desc)
	require.NoError(t, err)
	var copied ocispec.Index
	require.NoError(t, json.Unmarshal(indexBody, &copied))
	require.Len(t, copied.Manifests, 2)
	for i, m := range copied.Manifests {
		assert.Equal(t, idx.Manifests[i].Digest, m.Digest)
		ok, err := dst.Exists(ctx, m)
		require.NoError(t, err)
		assert.True(t, ok, "child %s copied", m.Digest)
	}
	desc, err = oras.Copy(ctx, repo, "single", dst, "single", oras.DefaultCopyOptions)
	require.NoError(t, err)
	assert.Equal(t, img.Digest, desc.Digest)

	var tags []string
	require.NoError(t, repo.Tags(ctx, "", func(t []string) error { tags = append(tags, t...); return nil }))
	assert.Equal(t, []string{"single", "v1"}, tags)
}

func TestChunkedUploadAndValidation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	blob := []byte("hello, layer")
	d := digest.FromBytes(blob)

	resp := do(t, http.MethodPost, srv.URL()+"/v2/x/blobs/uploads/", nil, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	loc := srv.URL() + resp.Header.Get("Location")
	resp = do(t, http.MethodPatch, loc, blob[:5], nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "0-4", resp.Header.Get("Range"))
	resp = do(t, http.MethodPut, srv.URL()+resp.Header.Get("Location")+"?digest="+d.String(), blob[5:], nil)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, d.String(), resp.Header.Get("Docker-Content-Digest"))

	resp = do(t, http.MethodGet, srv.URL()+"/v2/x/blobs/"+d.String(), nil, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, blob, readAll(t, resp))

	// A manifest whose blobs are missing, or whose digest is not the one named, is refused.
	manifest := []byte(`{"schemaVersion":2,"mediaType":"` + ociManifest + `","config":{"mediaType":"` + ocispec.MediaTypeImageConfig +
		`","digest":"` + digest.FromString("missing").String() + `","size":7},"layers":[]}`)
	resp = do(t, http.MethodPut, srv.URL()+"/v2/x/manifests/1", manifest, http.Header{"Content-Type": {ociManifest}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(readAll(t, resp)), "MANIFEST_BLOB_UNKNOWN")
	resp = do(t, http.MethodPut, srv.URL()+"/v2/x/manifests/"+digest.FromString("x").String(), manifest, http.Header{"Content-Type": {ociManifest}})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp = do(t, http.MethodPut, srv.URL()+"/v2/x/blobs/uploads/nope?digest="+d.String(), blob, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp = do(t, http.MethodPost, srv.URL()+"/v2/x/blobs/uploads/?digest="+digest.FromString("other").String(), blob, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp = do(t, http.MethodGet, srv.URL()+"/v2/unknown/tags/list", nil, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTokenAuth("user", "pw"))
	_, err := srv.PushImage("team/app", "1", amd64)
	require.NoError(t, err)

	resp := do(t, http.MethodHead, srv.URL()+"/v2/team/app/manifests/1", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Bearer realm="`+srv.URL()+`/token",service="registrytest",scope="repository:team/app:pull"`,
		resp.Header.Get("WWW-Authenticate"))
	resp = do(t, http.MethodPut, srv.URL()+"/v2/team/app/manifests/2", []byte("{}"), nil)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="repository:team/app:pull,push"`)
	resp = do(t, http.MethodGet, srv.URL()+"/v2/", nil, nil)
	assert.Equal(t, `Bearer realm="`+srv.URL()+`/token",service="registrytest"`, resp.Header.Get("WWW-Authenticate"))

	// The realm follows the host the client used.
	resp = do(t, http.MethodGet, strings.Replace(srv.URL(), "127.0.0.1", "localhost", 1)+"/v2/", nil, nil)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `realm="http://localhost:`)

	token := func(user, pass string, scopes ...string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, srv.URL()+"/token?service=registrytest&scope="+strings.Join(scopes, "&scope="), nil)
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		var body struct{ Token string }
		_ = json.Unmarshal(readAll(t, resp), &body)
		return resp.StatusCode, body.Token
	}
	code, _ := token("", "", "repository:team/app:pull")
	assert.Equal(t, http.StatusUnauthorized, code, "no anonymous pull unless asked for")
	code, _ = token("user", "wrong", "repository:team/app:pull")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, tok := token("user", "pw", "repository:team/app:pull")
	require.Equal(t, http.StatusOK, code)

	bearer := http.Header{"Authorization": {"Bearer " + tok}, "Accept": {ociManifest}}
	resp = do(t, http.MethodHead, srv.URL()+"/v2/team/app/manifests/1", nil, bearer)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp = do(t, http.MethodHead, srv.URL()+"/v2/other/manifests/1", nil, bearer)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the token is for team/app only")
	resp = do(t, http.MethodPost, srv.URL()+"/v2/team/app/blobs/uploads/", nil, bearer)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the token grants pull, not push")

	// oras-go pushes with the credentials through the token flow.
	repo := orasRepo(t, srv, "team/app", auth.StaticCredential(srv.Host(), auth.Credential{Username: "user", Password: "pw"}))
	_, err = registrytest.PushRandomImage(context.Background(), repo, "pushed", arm64v8)
	require.NoError(t, err)
}

func TestAnonymousPull(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithAnonymousPull())
	_, err := srv.PushImage("library/alpine", "3.20", amd64)
	require.NoError(t, err)
	repo := orasRepo(t, srv, "library/alpine", nil)
	desc, err := repo.Resolve(context.Background(), "3.20")
	require.NoError(t, err)
	d, err := srv.Digest("library/alpine", "3.20")
	require.NoError(t, err)
	assert.Equal(t, d, desc.Digest)
	_, err = registrytest.PushRandomImage(context.Background(), repo, "new", amd64)
	assert.Error(t, err, "anonymous callers may not push")
}

func TestMoveTag(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	idx, err := srv.PushIndex("library/alpine", "3.20", dockerList, amd64, arm64v8)
	require.NoError(t, err)
	img, err := srv.PushImageOfType("library/debian", "bookworm", dockerManifest, arm64v8)
	require.NoError(t, err)

	moved, err := srv.MoveTag("library/alpine", "3.20")
	require.NoError(t, err)
	assert.NotEqual(t, idx.Digest, moved)
	d, err := srv.Digest("library/alpine", "3.20")
	require.NoError(t, err)
	assert.Equal(t, moved, d)

	movedImg, err := srv.MoveTag("library/debian", "bookworm")
	require.NoError(t, err)
	assert.NotEqual(t, img, movedImg)

	// The moved tags keep their shape: the same index type and platforms, the same image type.
	resp := do(t, http.MethodGet, srv.URL()+"/v2/library/alpine/manifests/3.20", nil, http.Header{"Accept": {dockerList}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, dockerList, resp.Header.Get("Content-Type"))
	var list ocispec.Index
	require.NoError(t, json.Unmarshal(readAll(t, resp), &list))
	require.Len(t, list.Manifests, 2)
	assert.Equal(t, "arm64", list.Manifests[1].Platform.Architecture)
	assert.Equal(t, "v8", list.Manifests[1].Platform.Variant)
	resp = do(t, http.MethodHead, srv.URL()+"/v2/library/debian/manifests/bookworm", nil, http.Header{"Accept": {dockerManifest}})
	assert.Equal(t, movedImg.String(), resp.Header.Get("Docker-Content-Digest"))

	// The old content stays addressable by digest, and Tag can point the tag back.
	require.NoError(t, srv.Tag("library/alpine", "3.20", idx.Digest))
	d, err = srv.Digest("library/alpine", "3.20")
	require.NoError(t, err)
	assert.Equal(t, idx.Digest, d)

	_, err = srv.MoveTag("library/alpine", "missing")
	assert.Error(t, err)
	assert.Error(t, srv.Tag("nope", "1", idx.Digest))
	assert.Error(t, srv.Tag("library/alpine", "1", digest.FromString("x")))
	_, err = srv.PushIndex("x", "1", ociManifest, amd64)
	assert.Error(t, err, "not an index type")
	_, err = srv.PushIndex("x", "1", ociIndex)
	assert.Error(t, err, "no platforms")
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	var cut atomic.Bool
	srv := newServer(t, registrytest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/cut") {
				cut.Store(true)
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	_, err := srv.PushImage("x", "1", amd64)
	require.NoError(t, err)
	assert.Empty(t, srv.Requests(), "seeding does not go through HTTP")

	do(t, http.MethodHead, srv.URL()+"/v2/x/manifests/1", nil, http.Header{"Accept": {ociManifest + ", " + ociIndex}})
	do(t, http.MethodGet, srv.URL()+"/v2/x/manifests/2", nil, nil)
	_, err = http.Get(srv.URL() + "/v2/x/manifests/cut")
	require.Error(t, err)
	require.True(t, cut.Load())

	assert.Equal(t, []registrytest.Request{
		{Method: "HEAD", Path: "/v2/x/manifests/1", Accept: ociManifest + ", " + ociIndex, Status: 200},
		{Method: "GET", Path: "/v2/x/manifests/2", Status: 404},
		{Method: "GET", Path: "/v2/x/manifests/cut", Status: 0},
	}, srv.Requests())
	assert.Equal(t, 2, srv.CountRequests(func(r registrytest.Request) bool { return r.Method == "GET" }))
	assert.True(t, srv.Requests()[0].IsManifest())
	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
}

func TestTLSServer(t *testing.T) {
	t.Parallel()
	srv := newServer(t, registrytest.WithTLS())
	assert.True(t, strings.HasPrefix(srv.URL(), "https://127.0.0.1:"))
	require.NotNil(t, srv.CertPool())
	assert.Nil(t, newServer(t).CertPool())
}

func do(t *testing.T, method, url string, body []byte, h http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}
