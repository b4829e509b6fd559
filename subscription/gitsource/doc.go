// Package gitsource reads GitHub-style repositories (owner/repo at a branch) with the git
// command-line tool.
//
// The repository URL comes from a template with {owner} and {repo} placeholders; the default is
// "https://github.com/{owner}/{repo}.git", and any URL git accepts works, including file:// URLs
// and plain local paths. Git runs with the user's own configuration, so credential helpers,
// GIT_ASKPASS, http.extraHeader and SSH keys apply as they do on the command line. Git runs with
// GIT_TERMINAL_PROMPT=0 (and GCM_INTERACTIVE=never unless set), so a missing credential fails
// instead of waiting for input, and with LC_ALL=C, so that a missing repository or branch can be
// told from git's message. Cancelling the context kills git and the processes it started.
// Errors name the URL with any credentials in it replaced by "***".
//
// Tree makes a shallow single-branch clone (depth 1, no tags) into a temporary directory and
// returns it as a read-only fs.FS rooted at the clone (an os.Root), so no path, including a
// symbolic link, reaches outside it; the .git directory is not part of the view. ReadFile reads
// one file from a blob-less bare clone (or from a Tree clone of the same branch when there is
// one) through git cat-file, following symbolic links only inside the repository.
//
// A Source clones each (owner, repo, branch) at most once for its lifetime, even when several
// goroutines ask for it at the same time, and Close removes every temporary directory.
package gitsource
