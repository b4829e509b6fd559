package gitsource

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitCredentials(t *testing.T) {
	t.Parallel()
	userEnv := []string{"GIT_CONFIG_COUNT=2", "GIT_CONFIG_KEY_0=a.b", "GIT_CONFIG_VALUE_0=1", "GIT_CONFIG_KEY_1=c.d", "GIT_CONFIG_VALUE_1=2"}
	clean, extra := splitCredentials("https://me:p%40ss@git.example.com/acme/app.git", userEnv)
	assert.Equal(t, "https://git.example.com/acme/app.git", clean)
	assert.Equal(t, []string{
		envUsername + "=me", envPassword + "=p@ss",
		"GIT_CONFIG_KEY_2=credential.helper", "GIT_CONFIG_VALUE_2=",
		"GIT_CONFIG_KEY_3=credential.helper", "GIT_CONFIG_VALUE_3=" + credentialHelper,
		"GIT_CONFIG_COUNT=4",
	}, extra, "the user's configuration entries are kept, ours follow")

	_, extra = splitCredentials("https://tokenonly@git.example.com/x", nil)
	assert.Equal(t, envUsername+"=tokenonly", extra[0])
	assert.NotContains(t, strings.Join(extra, "\n"), envPassword+"=")

	for _, raw := range []string{"ssh://git@host/acme/app.git", "file:///srv/acme/app", "https://host/acme/app.git", "/srv/a@b/app"} {
		clean, extra := splitCredentials(raw, nil)
		assert.Equal(t, raw, clean)
		assert.Nil(t, extra)
	}
}

// TestInheritedCredentialVariablesAreDropped: the variables the credential helper answers
// with reach git only when this Source sets them, so a password inherited from the parent
// process is never sent with the user name of a URL that has none.
func TestInheritedCredentialVariablesAreDropped(t *testing.T) {
	t.Setenv(envUsername, "inherited-user")
	t.Setenv(envPassword, "inherited-secret")
	t.Setenv("BASEFLOW_TEST_KEPT", "1")
	env := processEnv()
	assert.Contains(t, env, "BASEFLOW_TEST_KEPT=1")
	for _, kv := range env {
		assert.NotContains(t, kv, "inherited-")
	}
}
