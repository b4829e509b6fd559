package imageinfo

import (
	"errors"
	"fmt"
	"regexp"
)

// commitSHA is a full git commit SHA as it appears in a commitUrl.
var commitSHA = regexp.MustCompile(`[0-9a-f]{40}`)

// ErrInvalidCommit reports a commit override that holds no 40-character lowercase hex SHA.
var ErrInvalidCommit = errors.New("not a valid commit SHA")

// CheckCommitOverride returns an error wrapping ErrInvalidCommit unless override contains a
// 40-character lowercase hex SHA.
func CheckCommitOverride(override string) error {
	if !commitSHA.MatchString(override) {
		return fmt.Errorf("commit override %q: %w", override, ErrInvalidCommit)
	}
	return nil
}

// OverrideCommits points the commitUrl of updated platforms at another commit (ImageBuilder
// 2.4 step 4): in every platform of current that initial lacks, or whose digest or commitUrl
// differs from its initial counterpart, each 40-hex run of a non-empty commitUrl is replaced
// by override, literally. Repos match by name; images of a bound document by manifest image,
// an unbound image counting as new, as in ImageBuilder; images of unbound documents by the
// manifest-free identity (SameImage); platforms by SamePlatform. It returns how many
// platforms were rewritten. override must pass CheckCommitOverride.
func OverrideCommits(current, initial *Document, override string) (int, error) {
	if err := CheckCommitOverride(override); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range current.Repos {
		var initialRepo *Repo
		for _, ir := range initial.Repos {
			if ir.Repo == r.Repo {
				initialRepo = ir
				break
			}
		}
		for _, img := range r.Images {
			initialImage := findInitialImage(current, initialRepo, img)
			mm := imageMajorMinor(img)
			var initialMM string
			if initialImage != nil {
				initialMM = imageMajorMinor(initialImage)
			}
			for _, p := range img.Platforms {
				var before *Platform
				if initialImage != nil {
					k := keyOf(p, mm)
					for _, ip := range initialImage.Platforms {
						if keyOf(ip, initialMM) == k {
							before = ip
							break
						}
					}
				}
				if before != nil && before.Digest == p.Digest && before.CommitURL == p.CommitURL {
					continue
				}
				if p.CommitURL != "" {
					p.CommitURL = commitSHA.ReplaceAllLiteralString(p.CommitURL, override)
					n++
				}
			}
		}
	}
	return n, nil
}

func findInitialImage(current *Document, initialRepo *Repo, img *Image) *Image {
	if initialRepo == nil {
		return nil
	}
	if current.manifest != nil && img.manifestImage == nil {
		return nil
	}
	for _, ii := range initialRepo.Images {
		if SameImage(img, ii) {
			return ii
		}
	}
	return nil
}
