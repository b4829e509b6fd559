package gitsource

import "log/slog"

// DefaultURLTemplate is the repository URL template used when none is set: GitHub over HTTPS.
const DefaultURLTemplate = "https://github.com/{owner}/{repo}.git"

// DefaultMaxFileSize is the largest file ReadFile returns unless WithMaxFileSize says
// otherwise; it matches the image-info reader's own limit.
const DefaultMaxFileSize = 64 << 20

// Option configures a Source.
type Option func(*options)

type options struct {
	urlTemplate string
	tempDir     string
	gitBinary   string
	env         []string
	logger      *slog.Logger
	maxFileSize int64
	maxReaders  int
}

// WithURLTemplate sets the repository URL template. "{owner}" and "{repo}" are replaced by the
// repository's owner and name; the result is anything git clone accepts, for example
// "https://dev.example.com/{owner}/{repo}.git", "file:///srv/git/{owner}/{repo}" or
// "/srv/git/{owner}/{repo}". The default is DefaultURLTemplate.
func WithURLTemplate(template string) Option {
	return func(o *options) { o.urlTemplate = template }
}

// WithTempDir sets the directory under which clones are made. The default is os.TempDir().
func WithTempDir(dir string) Option {
	return func(o *options) { o.tempDir = dir }
}

// WithGitBinary sets the git executable, a path or a name looked up in PATH. The default is
// "git".
func WithGitBinary(path string) Option {
	return func(o *options) { o.gitBinary = path }
}

// WithEnv adds "KEY=value" entries to the environment git runs with (on top of the process
// environment), for example GIT_SSH_COMMAND or GIT_CONFIG_COUNT/GIT_CONFIG_KEY_0/….
func WithEnv(env ...string) Option {
	return func(o *options) { o.env = append(o.env, env...) }
}

// WithLogger sets the logger for clone progress (debug level). Nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMaxFileSize bounds the files ReadFile reads: a larger file is refused, by the size git
// reports, before its content is read. The default is DefaultMaxFileSize.
func WithMaxFileSize(n int64) Option {
	return func(o *options) { o.maxFileSize = n }
}

// DefaultMaxReaders is how many repositories may have a reader process (git cat-file) running
// at once unless WithMaxReaders says otherwise.
const DefaultMaxReaders = 32

// WithMaxReaders bounds the git cat-file processes running at once, one per repository being
// read; when a read needs one more, the least recently used is stopped (and started again if
// its repository is read later). The default is DefaultMaxReaders.
func WithMaxReaders(n int) Option {
	return func(o *options) { o.maxReaders = n }
}
