package remote

import (
	"context"
	"fmt"
	"sync"

	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// credentialLookup returns the credential lookup the options describe: static credentials
// first, then the docker configuration (config.json, credsStore, credHelpers) or the caller's
// function. Successful lookups are remembered per host, so a credential helper runs once per
// host and run, not once per repository.
func (o *options) credentialLookup() (auth.CredentialFunc, error) {
	fn := o.credentialFunc
	if fn == nil {
		var store *credentials.DynamicStore
		var err error
		if o.dockerConfig != "" {
			store, err = credentials.NewStore(o.dockerConfig, credentials.StoreOptions{})
		} else {
			store, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("docker config: %w", err)
		}
		fn = credentials.Credential(store)
	}
	memo := &credentialMemo{fn: fn, static: o.credentials}
	return memo.get, nil
}

type credentialMemo struct {
	fn     auth.CredentialFunc
	static map[string]auth.Credential

	mu    sync.Mutex
	hosts map[string]*credentialEntry
}

type credentialEntry struct {
	done chan struct{}
	cred auth.Credential
	err  error
}

func (m *credentialMemo) get(ctx context.Context, hostport string) (auth.Credential, error) {
	if c, ok := m.static[hostport]; ok {
		return c, nil
	}
	m.mu.Lock()
	if m.hosts == nil {
		m.hosts = make(map[string]*credentialEntry)
	}
	e, ok := m.hosts[hostport]
	if !ok {
		e = &credentialEntry{done: make(chan struct{})}
		m.hosts[hostport] = e
		m.mu.Unlock()
		e.cred, e.err = m.fn(ctx, hostport)
		m.mu.Lock()
		if e.err != nil {
			delete(m.hosts, hostport) // a later request may try again
		}
		close(e.done)
		m.mu.Unlock()
		return e.cred, e.err
	}
	m.mu.Unlock()
	select {
	case <-e.done:
		return e.cred, e.err
	case <-ctx.Done():
		return auth.EmptyCredential, ctx.Err()
	}
}
