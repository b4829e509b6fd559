package imageinfo

import (
	"errors"
	"fmt"
	"io"
)

// DefaultMaxSize is the largest image-info input Parse and Read accept unless WithMaxSize says
// otherwise. The largest real file (dotnet-docker nightly) is about 1.4 MB.
const DefaultMaxSize = 64 << 20

// ErrTooLarge reports an input larger than the size limit.
var ErrTooLarge = errors.New("image-info input is larger than the size limit")

// maxDepth bounds the nesting of values skipped inside unknown properties.
const maxDepth = 512

// Option adjusts how a document is read.
type Option func(*options)

type options struct {
	maxSize  int64
	forCheck bool
}

// WithMaxSize sets the largest input accepted, in bytes; n <= 0 means DefaultMaxSize.
func WithMaxSize(n int64) Option {
	return func(o *options) { o.maxSize = n }
}

// ForStaleCheck reads platforms without a digest or commitUrl (absent or null, read as ""):
// the stale check needs neither, so a hand-written or partly recorded file still binds. The
// merge reads without it and keeps ImageBuilder's rule that both are required.
func ForStaleCheck() Option {
	return func(o *options) { o.forCheck = true }
}

func buildOptions(opts []Option) options {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if o.maxSize <= 0 {
		o.maxSize = DefaultMaxSize
	}
	return o
}

// Read reads an image-info document from r; name identifies the input in errors. At most the
// size limit plus one byte is read: a larger input is refused with ErrTooLarge.
func Read(name string, r io.Reader, opts ...Option) (*Document, error) {
	o := buildOptions(opts)
	data, err := io.ReadAll(io.LimitReader(r, o.maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return parse(name, data, o)
}

// Parse decodes an image-info document (schema 1.0 or 2.0); name identifies the input in
// errors. Property names match case-insensitively and unknown properties are ignored, as in
// ImageBuilder. Errors are *jsonerr.Error values locating the problem by line, column and JSON
// path: invalid JSON, a value of the wrong type, a missing or null required property, or a
// schemaVersion other than "1.0" and "2.0" (the property is required).
func Parse(name string, data []byte, opts ...Option) (*Document, error) {
	return parse(name, data, buildOptions(opts))
}

func parse(name string, data []byte, o options) (*Document, error) {
	if int64(len(data)) > o.maxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, o.maxSize)
	}
	d := decoder{data: data, name: name, forCheck: o.forCheck}
	// File.ReadAllText drops a UTF-8 byte order mark; so do we.
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		d.pos = 3
	}
	doc, err := d.document()
	if err != nil {
		return nil, err
	}
	return doc, nil
}

func (d *decoder) document() (*Document, error) {
	d.skipSpace()
	if c, ok := d.byteAt(d.pos); ok && c != '{' {
		if isValueStart(c) {
			return nil, d.errAt(d.pos, "an image-info document must be a JSON object, not %s", d.kind())
		}
	}
	start := d.pos
	doc := &Document{}
	var version *string
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "schemaVersion"):
			d.push("schemaVersion")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				return d.errAt(d.pos, "schemaVersion must not be null")
			}
			vpos := d.pos
			v, err := d.str()
			if err != nil {
				return err
			}
			if v != "1.0" && v != "2.0" {
				return d.errAt(vpos, "unsupported schemaVersion %q: want \"1.0\" or \"2.0\"", v)
			}
			version = &v
			return nil
		case is(name, "repos"):
			d.push("repos")
			defer d.pop()
			doc.Repos = nil
			_, err := d.array(func(int) error {
				r, err := d.repo()
				doc.Repos = append(doc.Repos, r)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos < len(d.data) {
		return nil, d.errAt(d.pos, "unexpected data after the top-level object")
	}
	if version == nil {
		return nil, d.errAt(start, "schemaVersion is missing: not an image-info document")
	}
	doc.SchemaVersion = *version
	return doc, nil
}

func (d *decoder) repo() (*Repo, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	start := d.pos
	r := &Repo{}
	req := required{names: []string{"repo"}}
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "repo"):
			req.mark(0)
			d.push("repo")
			defer d.pop()
			s, err := d.internedReqString()
			r.Repo = s
			return err
		case is(name, "images"):
			d.push("images")
			defer d.pop()
			r.Images = nil
			_, err := d.array(func(int) error {
				img, err := d.image()
				r.Images = append(r.Images, img)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	return r, d.checkRequired(start, req)
}

func (d *decoder) image() (*Image, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	img := &Image{}
	err := d.object(func(name []byte) error {
		switch {
		case is(name, "productVersion"):
			d.push("productVersion")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				img.ProductVersion = nil
				return d.null()
			}
			s, err := d.internedString()
			img.ProductVersion = &s
			return err
		case is(name, "manifest"):
			d.push("manifest")
			defer d.pop()
			if c, _ := d.peek(); c == 'n' {
				img.Manifest = nil
				return d.null()
			}
			m, err := d.manifestData()
			img.Manifest = m
			return err
		case is(name, "platforms"):
			d.push("platforms")
			defer d.pop()
			img.Platforms = nil
			_, err := d.array(func(int) error {
				p, err := d.platform()
				img.Platforms = append(img.Platforms, p)
				return err
			})
			return err
		}
		return d.skip(0)
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

func (d *decoder) manifestData() (*ManifestData, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	m := &ManifestData{}
	err := d.object(func(name []byte) error {
		var err error
		switch {
		case is(name, "digest"):
			d.push("digest")
			m.Digest, err = d.optString()
		case is(name, "syndicatedDigests"):
			d.push("syndicatedDigests")
			m.SyndicatedDigests, err = d.strings()
		case is(name, "created"):
			d.push("created")
			m.Created, err = d.str()
		case is(name, "sharedTags"):
			d.push("sharedTags")
			m.SharedTags, err = d.strings()
		default:
			return d.skip(0)
		}
		d.pop()
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

var platformRequired = []string{"dockerfile", "digest", "osType", "osVersion", "architecture", "commitUrl"}

func (d *decoder) platform() (*Platform, error) {
	c, _ := d.peek()
	if c != '{' {
		return nil, d.typeError("an object")
	}
	start := d.pos
	p := &Platform{}
	req := required{names: platformRequired}
	err := d.object(func(name []byte) error {
		var err error
		switch {
		case is(name, "dockerfile"):
			req.mark(0)
			d.push("dockerfile")
			p.Dockerfile, err = d.reqString()
		case is(name, "simpleTags"):
			d.push("simpleTags")
			p.SimpleTags, err = d.strings()
		case is(name, "digest"):
			req.mark(1)
			d.push("digest")
			p.Digest, err = d.platformString()
		case is(name, "baseImageDigest"):
			d.push("baseImageDigest")
			p.BaseImageDigest, err = d.optString()
		case is(name, "osType"):
			req.mark(2)
			d.push("osType")
			p.OSType, err = d.internedReqString()
		case is(name, "osVersion"):
			req.mark(3)
			d.push("osVersion")
			p.OSVersion, err = d.internedReqString()
		case is(name, "architecture"):
			req.mark(4)
			d.push("architecture")
			p.Architecture, err = d.internedReqString()
		case is(name, "created"):
			d.push("created")
			p.Created, err = d.str()
		case is(name, "commitUrl"):
			req.mark(5)
			d.push("commitUrl")
			p.CommitURL, err = d.platformString()
		case is(name, "layers"):
			d.push("layers")
			p.Layers, err = d.layers()
		case is(name, "isUnchanged"):
			d.push("isUnchanged")
			p.IsUnchanged, err = d.boolean()
		default:
			return d.skip(0)
		}
		d.pop()
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.forCheck {
		req.mark(1)
		req.mark(5)
	}
	return p, d.checkRequired(start, req)
}

// platformString reads digest or commitUrl: required, unless reading for the stale check.
func (d *decoder) platformString() (string, error) {
	if !d.forCheck {
		return d.reqString()
	}
	s, err := d.optString()
	if s == nil {
		return "", err
	}
	return *s, err
}

// layers reads schema 2.0 layer objects and schema 1.0 digest strings.
func (d *decoder) layers() ([]Layer, error) {
	var layers []Layer
	_, err := d.array(func(int) error {
		c, _ := d.peek()
		switch c {
		case '"':
			s, err := d.str()
			layers = append(layers, Layer{Digest: &s})
			return err
		case '{':
			var l Layer
			err := d.object(func(name []byte) error {
				var err error
				switch {
				case is(name, "digest"):
					d.push("digest")
					l.Digest, err = d.optString()
				case is(name, "size"):
					d.push("size")
					l.Size, err = d.int64Value()
				default:
					return d.skip(0)
				}
				d.pop()
				return err
			})
			layers = append(layers, l)
			return err
		}
		return d.typeError("a digest string or a layer object")
	})
	if err != nil {
		return nil, err
	}
	return layers, nil
}
