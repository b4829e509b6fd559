package imageinfotest

import (
	"fmt"

	"github.com/baseflow/baseflow/imageinfo"
)

// Synthetic returns an unbound document of n images spread over repos repos (image i in repo
// i % repos), each image with a product version, two shared tags and two platforms (amd64 and
// arm64) with their tags, digests, base digest and commit URL, in the shapes dotnet-docker's
// image-info uses. It gives merges and checks inputs of any size; image i is the same image in
// every document made with the same repos.
func Synthetic(n, repos int) *imageinfo.Document {
	d := &imageinfo.Document{SchemaVersion: imageinfo.SchemaVersion}
	for r := range repos {
		d.Repos = append(d.Repos, &imageinfo.Repo{Repo: fmt.Sprintf("team/repo%03d", r)})
	}
	str := func(s string) *string { return &s }
	for i := range n {
		r := d.Repos[i%repos]
		version := fmt.Sprintf("%d.%d.%d", 1+i/1000, i%1000, i%7)
		img := &imageinfo.Image{
			ProductVersion: str(version),
			Manifest: &imageinfo.ManifestData{
				Digest:     str(fmt.Sprintf("reg.io/%s@sha256:%064x", r.Repo, i)),
				Created:    "2026-08-10T17:43:36.2833441Z",
				SharedTags: []string{fmt.Sprintf("img%d-%s", i, version), fmt.Sprintf("img%d", i)},
			},
		}
		for _, arch := range []string{"amd64", "arm64"} {
			path := fmt.Sprintf("src/img%d/%s/Dockerfile", i, arch)
			img.Platforms = append(img.Platforms, &imageinfo.Platform{
				Dockerfile:      path,
				SimpleTags:      []string{fmt.Sprintf("img%d-%s-%s", i, version, arch)},
				Digest:          fmt.Sprintf("reg.io/%s@sha256:%063x%d", r.Repo, i, len(arch)%10),
				BaseImageDigest: str(fmt.Sprintf("alpine@sha256:%064x", i%97)),
				OSType:          "Linux",
				OSVersion:       "noble",
				Architecture:    arch,
				Created:         "2026-08-10T17:40:01.1234567Z",
				CommitURL:       fmt.Sprintf("https://github.com/acme/images/blob/%040x/%s", i, path),
			})
		}
		r.Images = append(r.Images, img)
	}
	imageinfo.Sort(d)
	return d
}
