package gitsource

import (
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Environment variables through which the credentials of a repository URL reach git's
// credential helper. Only git and the processes it starts see them (a process's environment is
// readable by its own user only, unlike its command line).
const (
	envUsername = "BASEFLOW_GIT_USERNAME"
	envPassword = "BASEFLOW_GIT_PASSWORD"
)

// credentialHelper is the helper git runs (through the shell) when a server asks for
// credentials. It prints the values of the variables above, so that no secret is part of any
// command line, configuration file or URL git stores.
const credentialHelper = `!f() { test "$1" = get || exit 0; echo "username=$` + envUsername + `"; ` +
	`if test -n "${` + envPassword + `+set}"; then echo "password=$` + envPassword + `"; fi; }; f`

// splitCredentials returns rawURL without the user name and password of an http(s) URL, and
// the environment that hands them to git through its credential interface instead: the user's
// credential helpers are replaced by one that answers with them (the user gave these
// credentials for this URL), declared with GIT_CONFIG_COUNT after any configuration env
// already sets. Other URLs, and http(s) URLs without credentials, are returned as they are: the
// user of an ssh URL is a login name, not a secret.
func splitCredentials(rawURL string, env []string) (clean string, extra []string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil || (u.Scheme != "http" && u.Scheme != "https") {
		return rawURL, nil
	}
	user := u.User
	u.User = nil
	extra = []string{envUsername + "=" + user.Username()}
	if pw, ok := user.Password(); ok {
		extra = append(extra, envPassword+"="+pw)
	}
	// An empty helper first resets the list.
	extra = append(extra, configEnv(env, "credential.helper", "", "credential.helper", credentialHelper)...)
	return u.String(), extra
}

// configEnv returns the environment entries that add the configuration keyValues (key,
// value, key, value, …) to what env declares through GIT_CONFIG_COUNT, as `git -c` would
// without being on the command line.
func configEnv(env []string, keyValues ...string) []string {
	n := configCount(env)
	var out []string
	for i := 0; i+1 < len(keyValues); i += 2 {
		out = append(out, "GIT_CONFIG_KEY_"+strconv.Itoa(n)+"="+keyValues[i], "GIT_CONFIG_VALUE_"+strconv.Itoa(n)+"="+keyValues[i+1])
		n++
	}
	return append(out, "GIT_CONFIG_COUNT="+strconv.Itoa(n))
}

// configCount returns the GIT_CONFIG_COUNT env sets (the last entry wins, as for exec), or 0.
func configCount(env []string) int {
	n := 0
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GIT_CONFIG_COUNT="); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	return max(n, 0)
}

// processEnv is os.Environ without the variables that carry credentials, so that a value
// inherited from a parent process never reaches git unless this Source set it.
func processEnv() []string {
	env := os.Environ()
	out := env[:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, envUsername+"=") || strings.HasPrefix(kv, envPassword+"=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
