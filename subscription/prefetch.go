package subscription

// Branch names a branch of a GitHub-style repository.
type Branch struct {
	Owner, Repo, Branch string
}

// Prefetcher is implemented by a Source that can fetch several branches of a repository in one
// go. A caller that knows which branches it will read announces them with Prefetch before
// reading any; the Source then fetches every announced branch of a repository together, on the
// first read of that repository. Prefetch returns at once and does no I/O; announcing a branch
// that is never read, or that does not exist, costs at most a little transfer and never fails a
// read of another branch.
//
// gitsource implements it (one git fetch per repository instead of one per branch); a Source
// that reads branch by branch anyway need not. Checker.Check announces the manifest and
// image-info branches of every subscription it checks.
type Prefetcher interface {
	Prefetch(branches []Branch)
}

// Branches returns the distinct branches the subscriptions read: each manifest's and each
// image-info file's, in first-seen order.
func Branches(subs []Subscription) []Branch {
	seen := make(map[Branch]bool, 2*len(subs))
	var out []Branch
	add := func(b Branch) {
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	for _, s := range subs {
		add(Branch{Owner: s.Manifest.Owner, Repo: s.Manifest.Repo, Branch: s.Manifest.Branch})
		add(Branch{Owner: s.ImageInfo.Owner, Repo: s.ImageInfo.Repo, Branch: s.ImageInfo.Branch})
	}
	return out
}
