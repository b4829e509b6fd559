package registrytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	orasremote "oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"
)

// IntegrationEnv is the environment variable that turns a missing docker-registry (or
// htpasswd) binary from a skipped test into a failed one. CI sets it to 1.
const IntegrationEnv = "BASEFLOW_INTEGRATION"

// DistributionOptions configures StartDistribution.
type DistributionOptions struct {
	// TLS serves HTTPS with a self-signed certificate for 127.0.0.1 and localhost, made for
	// the test; Distribution.RootCAs trusts it.
	TLS bool
	// Username and Password, when set, protect the registry with htpasswd Basic
	// authentication (the htpasswd file is made with `htpasswd -B`, from apache2-utils).
	Username, Password string
}

// Distribution is a CNCF distribution registry (Debian's docker-registry) run by a test.
type Distribution struct {
	// Host is "127.0.0.1:PORT".
	Host string
	// PlainHTTP is true when the registry serves plain HTTP.
	PlainHTTP bool
	// RootCAs trusts the registry's certificate; nil with plain HTTP.
	RootCAs *x509.CertPool
	// Username and Password are the registry's credentials, empty without authentication.
	Username, Password string
}

// StartDistribution runs docker-registry with an in-memory store on a free 127.0.0.1 port
// for the duration of the test, and waits until it answers. When the docker-registry binary
// (or htpasswd, for authentication) is not on PATH the test is skipped, or fails when
// BASEFLOW_INTEGRATION=1.
func StartDistribution(t testing.TB, opts DistributionOptions) *Distribution {
	t.Helper()
	bin := requireBinary(t, "docker-registry", "apt-get install docker-registry")
	dir := t.TempDir()
	d := &Distribution{PlainHTTP: !opts.TLS, Username: opts.Username, Password: opts.Password}

	var extra strings.Builder
	if opts.TLS {
		certPEM, keyPEM, err := selfSignedCert()
		if err != nil {
			t.Fatalf("registry certificate: %v", err)
		}
		certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
		writeFile(t, certFile, certPEM)
		writeFile(t, keyFile, keyPEM)
		d.RootCAs = x509.NewCertPool()
		d.RootCAs.AppendCertsFromPEM(certPEM)
		fmt.Fprintf(&extra, "  tls:\n    certificate: %q\n    key: %q\n", certFile, keyFile)
	}
	var authConf string
	if opts.Username != "" {
		htpasswd := requireBinary(t, "htpasswd", "apt-get install apache2-utils")
		out, err := exec.Command(htpasswd, "-Bbn", opts.Username, opts.Password).Output()
		if err != nil {
			t.Fatalf("htpasswd: %v", err)
		}
		file := filepath.Join(dir, "htpasswd")
		writeFile(t, file, out)
		authConf = fmt.Sprintf("auth:\n  htpasswd:\n    realm: registrytest\n    path: %q\n", file)
	}

	client := &http.Client{Timeout: 2 * time.Second}
	if opts.TLS {
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: d.RootCAs}}
	}
	var lastErr error
	for range 3 { // the free port may be taken between probing and the registry binding it
		addr, err := freePort()
		if err != nil {
			t.Fatalf("free port: %v", err)
		}
		conf := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
			"storage:\n  inmemory: {}\n  delete:\n    enabled: true\n"+
			"http:\n  addr: %q\n  secret: registrytest-not-a-secret\n%s%s", addr, extra.String(), authConf)
		confFile := filepath.Join(dir, "config.yml")
		writeFile(t, confFile, []byte(conf))
		if lastErr = d.start(t, bin, confFile, addr, client); lastErr == nil {
			return d
		}
	}
	t.Fatalf("docker-registry did not start: %v", lastErr)
	return nil
}

// start runs the registry and waits for /v2/ to answer (200, or 401 with authentication).
func (d *Distribution) start(t testing.TB, bin, confFile, addr string, client *http.Client) error {
	var output lockedBuffer
	cmd := exec.Command(bin, "serve", confFile)
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	scheme := "http"
	if !d.PlainHTTP {
		scheme = "https"
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("exited (%v): %s", err, output.String())
		default:
		}
		resp, err := client.Get(scheme + "://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				d.Host = addr
				t.Cleanup(stop)
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	return fmt.Errorf("no answer on %s within 10s: %s", addr, output.String())
}

// Target returns repository repo of the registry as an oras-go remote repository with the
// registry's credentials, for pushing test content with PushRandomImage and PushRandomIndex.
func (d *Distribution) Target(repo string) (*orasremote.Repository, error) {
	r, err := orasremote.NewRepository(d.Host + "/" + repo)
	if err != nil {
		return nil, err
	}
	r.PlainHTTP = d.PlainHTTP
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if d.RootCAs != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: d.RootCAs}
	}
	client := &auth.Client{Client: &http.Client{Transport: retry.NewTransport(tr)}, Cache: auth.NewCache()}
	if d.Username != "" {
		client.Credential = auth.StaticCredential(d.Host, auth.Credential{Username: d.Username, Password: d.Password})
	}
	r.Client = client
	return r, nil
}

// requireBinary returns the path of name, skipping the test when it is missing, or failing
// it when IntegrationEnv is set.
func requireBinary(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(IntegrationEnv) == "1" {
		t.Fatalf("%s is not on PATH and %s=1 requires it (%s)", name, IntegrationEnv, install)
	}
	t.Skipf("%s is not on PATH (%s); set %s=1 to make this a failure", name, install, IntegrationEnv)
	return ""
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// selfSignedCert returns a PEM certificate and key for 127.0.0.1 and localhost, valid for a
// day, that is its own root.
func selfSignedCert() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

// lockedBuffer collects a subprocess's output for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
