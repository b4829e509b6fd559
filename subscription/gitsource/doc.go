// Package gitsource reads GitHub-style repositories (owner/repo at a branch) with the git
// command-line tool.
//
// The repository URL comes from a template with {owner} and {repo} placeholders; the default is
// "https://github.com/{owner}/{repo}.git", and any URL git accepts works, including file:// URLs
// and plain local paths. Git runs with the user's own configuration, so credential helpers,
// GIT_ASKPASS, http.extraHeader and SSH keys apply as they do on the command line. Git runs with
// GIT_TERMINAL_PROMPT=0 (and GCM_INTERACTIVE=never unless set), so a missing credential fails
// instead of waiting for input, and with LC_ALL=C, so that a missing repository or branch can be
// told from git's message. An http(s) server that sends nothing for a minute fails the fetch
// (GIT_HTTP_LOW_SPEED_LIMIT and GIT_HTTP_LOW_SPEED_TIME, unless set). Cancelling the context
// kills git and the processes it started, and on Linux git dies with the process that
// started it.
//
// # Credentials
//
// A user name and password (or token) in an http(s) URL template never reach git's command
// line, where any user of the machine can read them (/proc/*/cmdline), nor a file of the clone:
// git is given the URL without them, and a credential helper declared through the environment
// (GIT_CONFIG_COUNT, in place of the user's helpers for that run) answers with them from
// environment variables only git and its children see. Errors and logs name the URL with
// "***" in place of the credentials.
//
// # Fetching and reading
//
// Each repository is one bare repository in a temporary directory, holding the tips of the
// branches read (depth 1, no tags; blobs over the size limit stay on the server when it allows
// filters). Nothing is checked out: files are read from git's objects through one long-lived
// `git cat-file --batch` per repository, so reading a manifest and hundreds of Dockerfiles
// costs one process, not one per file. Branches asked for while no fetch runs, and those
// announced with Prefetch (subscription.Prefetcher), are fetched together: a repository read
// at one branch costs two git processes (clone and reader), at several announced branches
// three (init, fetch, reader). WithMaxReaders bounds the readers running at once.
//
// Tree returns a read-only fs.FS of a branch's tip; symbolic links resolve inside the
// repository only. ReadFile reads one file the same way, matching a name in another case as
// ImageBuilder finds its image-info file. A Source fetches each branch at most once for its
// lifetime, even when several goroutines ask for it at the same time; a fetch that every
// caller gave up on is stopped and tried again by the next caller; Refresh makes the next read
// of each branch fetch it again into the repository already there (a long-running program's
// way to see new commits without cloning anew); Close removes every temporary directory.
package gitsource
