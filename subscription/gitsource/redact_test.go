package gitsource

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rules are internal/redact's and tested there; this shows the wrappers use them.
func TestRedactWrappers(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://***@host/x", RedactURL("https://user:secret@host/x"))
	r := newRedactor("https://me:hunter22%21@git.example.com/acme/app.git")
	assert.Equal(t, "fatal: password *** rejected", r.Redact("fatal: password hunter22! rejected"))
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

func TestCatFileAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		out     string
		limit   int64
		want    string
		kind    string
		wantErr error
	}{
		{out: "45b983be36b73c0788dc9cbcb76cbb80fc7bb057 blob 3\nhi\n\n", limit: 10, want: "hi\n", kind: "blob"},
		{out: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 blob 0\n\n", limit: 10, want: "", kind: "blob"},
		{out: "HEAD:a b missing\n", wantErr: fs.ErrNotExist},
		{out: "dangling 5\nnope/\n", wantErr: fs.ErrNotExist},
		{out: "notdir 5\na/b/c\n", wantErr: fs.ErrNotExist},
		{out: "loop 1\na\n", wantErr: errTooManySymlinks},
		{out: "symlink 11\n/etc/passwd\n", wantErr: errSymlinkEscapes},
		{out: "f0be72977f7fd3e7f72e68590240c3843fde73bf tree 3\n...\n", limit: 10, want: "...", kind: "tree"},
	}
	for _, tt := range tests {
		// A second answer follows each, to show the first was read to its end.
		c := &catFile{stdin: nopCloser{io.Discard}, stdout: bufio.NewReader(strings.NewReader(tt.out + "x missing\n"))}
		obj, err := c.read("name", tt.limit)
		require.NoError(t, err, tt.out)
		if tt.wantErr != nil {
			assert.ErrorIs(t, obj.err, tt.wantErr, tt.out)
		} else {
			require.NoError(t, obj.err, tt.out)
			assert.Equal(t, tt.want, string(obj.data), tt.out)
			assert.Equal(t, tt.kind, obj.kind, tt.out)
		}
		next, err := c.read("x", 10)
		require.NoError(t, err, tt.out)
		assert.ErrorIs(t, next.err, fs.ErrNotExist, tt.out)
	}

	// Content over the limit is skipped, its size kept.
	c := &catFile{stdin: nopCloser{io.Discard}, stdout: bufio.NewReader(strings.NewReader("abc blob 5\nhello\nabc blob 2\nhi\n"))}
	obj, err := c.read("a", 4)
	require.NoError(t, err)
	assert.Nil(t, obj.data)
	assert.Equal(t, int64(5), obj.size)
	obj, err = c.read("b", 4)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(obj.data))

	c = &catFile{stdin: nopCloser{io.Discard}, stdout: bufio.NewReader(strings.NewReader("abc blob 99\nshort\n")), stderr: &bytes.Buffer{}}
	_, err = c.read("a", 100)
	assert.ErrorContains(t, err, "git cat-file")
	_, err = c.read("a", 100)
	assert.Error(t, err, "a broken reader stays broken")
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
