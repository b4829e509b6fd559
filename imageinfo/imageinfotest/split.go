// Package imageinfotest helps test code that merges or reads image-info files.
package imageinfotest

import "github.com/baseflow/baseflow/imageinfo"

// Split divides d by platform into n documents, as n build jobs each record the platforms they
// built: platform i (in document order) goes to part job(i), or i % n when job is nil. Each
// part holds copies of its platforms in their repos and images, with the images' product
// version and manifest object; repos without images go to part 0. Merging the parts in build
// mode gives d back.
func Split(d *imageinfo.Document, n int, job func(i int) int) []*imageinfo.Document {
	if job == nil {
		job = func(i int) int { return i % n }
	}
	parts := make([]*imageinfo.Document, n)
	for k := range parts {
		parts[k] = &imageinfo.Document{SchemaVersion: imageinfo.SchemaVersion}
	}
	i := 0
	for _, r := range d.Repos {
		if len(r.Images) == 0 {
			parts[0].Repos = append(parts[0].Repos, &imageinfo.Repo{Repo: r.Repo})
			continue
		}
		repos := make([]*imageinfo.Repo, n)
		for _, img := range r.Images {
			images := make([]*imageinfo.Image, n)
			for _, p := range img.Platforms {
				k := job(i)
				i++
				if repos[k] == nil {
					repos[k] = &imageinfo.Repo{Repo: r.Repo}
					parts[k].Repos = append(parts[k].Repos, repos[k])
				}
				if images[k] == nil {
					images[k] = &imageinfo.Image{ProductVersion: img.ProductVersion, Manifest: img.Manifest.Clone()}
					repos[k].Images = append(repos[k].Images, images[k])
				}
				images[k].Platforms = append(images[k].Platforms, p.Clone())
			}
		}
	}
	return parts
}
