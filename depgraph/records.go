package depgraph

import (
	"fmt"
	"strings"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

// ImageInfoRecords answers Records from an image-info document bound to the graph's
// manifest: the entry found the way ImageBuilder's stale check finds it (see
// imageinfo.Index). A platform whose entry has no baseImageDigest reads as recorded "".
func ImageInfoRecords(doc *imageinfo.Document) Records {
	return indexRecords{imageinfo.NewIndex(doc), doc}
}

// LoadImageInfoRecords parses an image-info file (name is for errors), binds it to m as the
// stale check does (images that match no manifest platform stay unbound; platforms may lack
// digest and commitUrl, see imageinfo.ForStaleCheck), and returns its Records.
func LoadImageInfoRecords(name string, data []byte, m *manifest.Manifest) (Records, error) {
	doc, err := imageinfo.Parse(name, data, imageinfo.ForStaleCheck())
	if err != nil {
		return nil, err
	}
	if err := imageinfo.Bind(doc, m, imageinfo.BindOptions{SkipManifestValidation: true}); err != nil {
		return nil, err
	}
	return ImageInfoRecords(doc), nil
}

type indexRecords struct {
	ix  *imageinfo.Index
	doc *imageinfo.Document
}

// NearMiss names the entries imageinfo.NearMisses finds for p: "the entry <repo>
// <dockerfile> (<architecture>, <osType>, <osVersion>) with osType "linux" (want "Linux")",
// several joined with " or ".
func (r indexRecords) NearMiss(p *manifest.Platform) string {
	var parts []string
	for _, n := range imageinfo.NearMisses(r.doc, p) {
		e := n.Platform
		parts = append(parts, fmt.Sprintf("the entry %s %s (%s, %s, %s) with %s", n.Repo.Repo, e.Dockerfile, e.Architecture, e.OSType, e.OSVersion, n))
	}
	return strings.Join(parts, " or ")
}

func (r indexRecords) BaseImageDigest(p *manifest.Platform) (string, bool) {
	e, ok := r.ix.Lookup(p)
	if !ok {
		return "", false
	}
	if e.Platform.BaseImageDigest == nil {
		return "", true
	}
	return *e.Platform.BaseImageDigest, true
}
