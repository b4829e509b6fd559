package gitsource

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/acme/app.git", "https://github.com/acme/app.git"},
		{"https://user:secret@host/x", "https://***@host/x"},
		{"https://ghp_token1234@host/x", "https://***@host/x"},
		{"https://ghp_token1234:x-oauth-basic@host/x", "https://***@host/x"},
		{"https://user:p%40ss@host:8443/x?y=1", "https://***@host:8443/x?y=1"},
		{"ssh://git@host/acme/app.git", "ssh://***@host/acme/app.git"},
		{"git@github.com:acme/app.git", "git@github.com:acme/app.git"},
		{"file:///srv/git/acme/app", "file:///srv/git/acme/app"},
		{"/srv/git/a@b/app", "/srv/git/a@b/app"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RedactURL(tt.in), tt.in)
	}
}

func TestRedactorMessages(t *testing.T) {
	t.Parallel()
	r := newRedactor("https://me:hunter22%21@git.example.com/acme/app.git")
	tests := []struct{ in, want string }{
		{
			"fatal: unable to access 'https://me:hunter22%21@git.example.com/acme/app.git/': Failed",
			"fatal: unable to access 'https://***@git.example.com/acme/app.git/': Failed",
		},
		{"fatal: password hunter22! rejected", "fatal: password *** rejected"},
		{"fatal: password hunter22%21 rejected", "fatal: password *** rejected"},
		{"see http://a:b@one/ and https://c@two/x", "see http://***@one/ and https://***@two/x"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.redact(tt.in), tt.in)
	}
	// A short user name is an ordinary word, not a secret to hunt for in messages.
	assert.Empty(t, newRedactor("ssh://git@host/x").secrets)
	assert.Equal(t, []string{"tokenvalue99"}, newRedactor("https://tokenvalue99@host/x").secrets)
}

func TestCleanAndClassifyStderr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, stderr, clean string
		want                error
	}{
		{
			name:   "missing branch",
			stderr: "Cloning into 'x'...\nwarning: Could not find remote branch rel to clone.\nfatal: Remote branch rel not found in upstream origin\n",
			clean:  "fatal: Remote branch rel not found in upstream origin",
			want:   ErrBranchNotFound,
		},
		{
			name:   "local path",
			stderr: "fatal: '/srv/x' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n",
			clean:  "fatal: '/srv/x' does not appear to be a git repository; fatal: Could not read from remote repository.; Please make sure you have the correct access rights; and the repository exists.",
			want:   ErrRepositoryNotFound,
		},
		{
			name:   "GitHub",
			stderr: "remote: Repository not found.\nfatal: repository 'https://github.com/acme/nope.git/' not found\n",
			clean:  "remote: Repository not found.; fatal: repository 'https://github.com/acme/nope.git/' not found",
			want:   ErrRepositoryNotFound,
		},
		{
			name:   "plain path",
			stderr: "fatal: repository '/srv/nope' does not exist\n",
			clean:  "fatal: repository '/srv/nope' does not exist",
			want:   ErrRepositoryNotFound,
		},
		{
			name:   "credentials",
			stderr: "warning: filtering not recognized by server, ignoring\nfatal: could not read Username for 'https://github.com': terminal prompts disabled\n",
			clean:  "fatal: could not read Username for 'https://github.com': terminal prompts disabled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.clean, cleanStderr(tt.stderr))
			assert.Equal(t, tt.want, classifyStderr(tt.stderr))
		})
	}
}

func TestParseCatFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out     string
		want    string
		wantErr error
	}{
		{out: "45b983be36b73c0788dc9cbcb76cbb80fc7bb057 blob 3\nhi\n\n", want: "hi\n"},
		{out: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 blob 0\n\n", want: ""},
		{out: "HEAD:a b missing\n", wantErr: fs.ErrNotExist},
		{out: "dangling 5\nnope/\n", wantErr: fs.ErrNotExist},
		{out: "notdir 5\na/b/c\n", wantErr: fs.ErrNotExist},
		{out: "loop 1\na\n", wantErr: errTooManySymlinks},
		{out: "symlink 11\n/etc/passwd\n", wantErr: errSymlinkEscapes},
		{out: "f0be72977f7fd3e7f72e68590240c3843fde73bf tree 89\n...", wantErr: errIsDirectory},
		{out: "f0be72977f7fd3e7f72e68590240c3843fde73bf commit 9\n...", wantErr: errNotFile},
	}
	for _, tt := range tests {
		got, err := parseCatFile([]byte(tt.out))
		if tt.wantErr != nil {
			assert.ErrorIs(t, err, tt.wantErr, tt.out)
			continue
		}
		require.NoError(t, err, tt.out)
		assert.Equal(t, tt.want, string(got), tt.out)
	}
	_, err := parseCatFile([]byte("abc blob 99\nshort\n"))
	assert.ErrorContains(t, err, "unexpected git cat-file output")
}
