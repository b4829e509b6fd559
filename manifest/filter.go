package manifest

import (
	"regexp"
	"slices"
	"strings"
)

// Filter selects platforms as ImageBuilder's command-line filters do (3.6). Every pattern is
// a glob ('*' any run, '?' one character), matched against the whole value and ignoring case.
// An empty field matches everything; fields with several patterns match any of them.
type Filter struct {
	OSType          string   // linux or windows
	Architecture    string   // amd64, arm64 or arm
	OSVersions      []string // the platform's osVersion
	Paths           []string // the platform's raw dockerfile value
	ProductVersions []string // the image's resolved productVersion; a mismatch drops the whole image
	Repos           []string // exact repo names
}

// Match reports whether the filter keeps p. To test many platforms, Platforms compiles the
// patterns once.
func (f Filter) Match(p *Platform) bool { return f.compile().match(p) }

// Platforms returns the platforms of m the filter keeps, in manifest order.
func (f Filter) Platforms(m *Manifest) []*Platform {
	c := f.compile()
	var out []*Platform
	for _, p := range m.Platforms() {
		if c.match(p) {
			out = append(out, p)
		}
	}
	return out
}

// IsZero reports whether the filter keeps every platform.
func (f Filter) IsZero() bool {
	return f.OSType == "" && f.Architecture == "" && len(f.OSVersions) == 0 && len(f.Paths) == 0 &&
		len(f.ProductVersions) == 0 && len(f.Repos) == 0
}

type compiledFilter struct {
	repos                                         []string
	productVersion, osType, arch, osVersion, path *regexp.Regexp
}

func (f Filter) compile() compiledFilter {
	return compiledFilter{
		repos:          f.Repos,
		productVersion: globRegexp(f.ProductVersions),
		osType:         globRegexp(nonEmpty(f.OSType)),
		arch:           globRegexp(nonEmpty(f.Architecture)),
		osVersion:      globRegexp(f.OSVersions),
		path:           globRegexp(f.Paths),
	}
}

func (c compiledFilter) match(p *Platform) bool {
	if len(c.repos) > 0 && !slices.Contains(c.repos, p.Repo().Name) {
		return false
	}
	return matches(c.productVersion, p.Image.ProductVersion) && matches(c.osType, p.OS) &&
		matches(c.arch, p.Architecture) && matches(c.osVersion, p.OSVersion) && matches(c.path, p.Dockerfile)
}

// matches treats a nil pattern (no patterns given) as matching everything.
func matches(re *regexp.Regexp, s string) bool { return re == nil || re.MatchString(s) }

// Glob reports whether value matches any of the patterns (anchored, case-insensitive, '*' and
// '?' wildcards). No patterns match everything.
func Glob(patterns []string, value string) bool { return matches(globRegexp(patterns), value) }

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// globRegexp compiles patterns into one anchored, case-insensitive expression; nil for none.
func globRegexp(patterns []string) *regexp.Regexp {
	if len(patterns) == 0 {
		return nil
	}
	alts := make([]string, len(patterns))
	for i, p := range patterns {
		q := regexp.QuoteMeta(p)
		q = strings.ReplaceAll(q, `\*`, ".*")
		q = strings.ReplaceAll(q, `\?`, ".")
		alts[i] = q
	}
	return regexp.MustCompile(`(?is)^(?:` + strings.Join(alts, "|") + `)$`)
}
