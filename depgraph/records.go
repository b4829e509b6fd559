package depgraph

import (
	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

// ImageInfoRecords answers Records from an image-info document bound to the graph's
// manifest: the entry found the way ImageBuilder's stale check finds it (see
// imageinfo.Index). A platform whose entry has no baseImageDigest reads as recorded "".
func ImageInfoRecords(doc *imageinfo.Document) Records {
	return indexRecords{imageinfo.NewIndex(doc)}
}

// LoadImageInfoRecords parses an image-info file (name is for errors), binds it to m as the
// stale check does (images that match no manifest platform stay unbound; platforms may lack
// digest and commitUrl, see imageinfo.ForStaleCheck), and returns its
// Records.
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

type indexRecords struct{ ix *imageinfo.Index }

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
