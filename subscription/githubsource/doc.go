// Package githubsource reads GitHub repositories (owner/repo at a branch) through the GitHub
// REST API, without a git binary.
//
// Files are read as the .NET ImageBuilder tool reads its image-info file: the git trees API on
// "<branch>:<directory>" lists the file's directory, the entry whose name matches (exactly, else
// case-insensitively) gives a blob SHA, and the git blobs API returns the content. Unlike the
// contents API this reads files over 1 MB. Tree lists the whole repository with one recursive
// trees request and fetches file contents lazily, when a file is opened.
//
// The API base URL is https://api.github.com by default; GitHub Enterprise Server uses
// https://HOST/api/v3. Requests carry "Authorization: Bearer <token>" when a token is set (see
// NewFromEnv for GITHUB_TOKEN), and are retried on 408, 429 and 5xx answers, on rate limiting
// and on network errors, honouring Retry-After, a bounded number of times (WithMaxRetries,
// WithBackoff, WithMaxRetryWait: the same options as every client of this module). Errors are
// an [HTTPError] naming the request and its status, never the token.
//
// Package githubtest (at the module root) runs an in-process fake of the same API, shared with
// the GitHub Actions dispatcher, for tests.
package githubsource
