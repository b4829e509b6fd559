package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// resolve builds the resolved view of a merged model and validates it.
func resolve(fsys fs.FS, name string, model *Model, opts Options) (*Manifest, error) {
	fail := func(where string, err error) error {
		// A variable error knows the exact field it was substituting.
		if ve := (*VariableError)(nil); errors.As(err, &ve) {
			where = ve.Where
		}
		return &Error{File: name, Path: where, Err: err}
	}
	if len(model.Repos) == 0 {
		return nil, fail("repos", errors.New("the manifest has no repos"))
	}
	links := newLinkResolver(fsys, dirOf(name))
	m := &Manifest{Model: model, Path: name, Dir: dirOf(name), Registry: model.Registry, byTag: map[string]*Platform{}, byQualified: map[string]int{}}
	if opts.RegistryOverride != "" {
		m.Registry = opts.RegistryOverride
	}
	qualified := map[string]string{}
	for i := range model.Repos {
		rm := &model.Repos[i]
		if rm.Name == "" {
			return nil, fail(fmt.Sprintf("repos[%d]", i), errors.New("name: required"))
		}
		r := &Repo{Manifest: m, Model: rm, ID: rm.ID, Name: rm.Name, QualifiedName: rm.Name}
		if r.ID == "" {
			r.ID = rm.Name
		}
		if m.Registry != "" {
			r.QualifiedName = m.Registry + "/" + rm.Name
		}
		if _, dup := qualified[r.ID]; !dup {
			qualified[r.ID] = r.QualifiedName
		}
		if _, dup := m.byQualified[r.QualifiedName]; !dup {
			m.byQualified[r.QualifiedName] = len(m.Repos)
		}
		m.Repos = append(m.Repos, r)
	}
	vars, resolved, err := resolveVariables(model.Variables, opts.Variables, qualified)
	if err != nil {
		return nil, fail("variables", err)
	}
	m.Variables = resolved

	for ri, r := range m.Repos {
		rm := r.Model
		repoPath := fmt.Sprintf("repos[%d](%s)", ri, rm.Name)
		if rm.Images == nil {
			return nil, fail(repoPath, errors.New("images: required"))
		}
		tagKeys := map[string]string{} // tag key as written -> where it was first seen
		claim := func(key, where string) error {
			if first, dup := tagKeys[key]; dup {
				return fmt.Errorf("tag %q is defined twice in the repo (also at %s)", key, first)
			}
			tagKeys[key] = where
			return nil
		}
		for ii := range rm.Images {
			im := &rm.Images[ii]
			imagePath := fmt.Sprintf("%s.images[%d]", repoPath, ii)
			img := &Image{Repo: r, Model: im, Index: ii}
			if img.ProductVersion, err = vars.substitute(im.ProductVersion, imagePath+".productVersion"); err != nil {
				return nil, fail(imagePath, err)
			}
			for _, t := range im.SharedTags {
				if err := claim(t.Key, imagePath+".sharedTags"); err != nil {
					return nil, fail(imagePath+".sharedTags", err)
				}
				tag, err := resolveTag(vars, t, imagePath+".sharedTags")
				if err != nil {
					return nil, fail(imagePath, err)
				}
				img.SharedTags = append(img.SharedTags, tag)
			}
			if im.Platforms == nil {
				return nil, fail(imagePath, errors.New("platforms: required"))
			}
			for pi := range im.Platforms {
				platformPath := fmt.Sprintf("%s.platforms[%d]", imagePath, pi)
				p, err := resolvePlatform(fsys, links, m, img, &im.Platforms[pi], vars, platformPath)
				if err != nil {
					return nil, fail(platformPath, err)
				}
				for _, t := range p.Model.Tags {
					if err := claim(t.Key, platformPath+".tags"); err != nil {
						return nil, fail(platformPath+".tags", err)
					}
				}
				p.Index = len(m.platforms)
				m.platforms = append(m.platforms, p)
				img.Platforms = append(img.Platforms, p)
				for _, ref := range p.TagRefs() {
					if _, taken := m.byTag[ref]; !taken {
						m.byTag[ref] = p
					}
				}
			}
			r.Images = append(r.Images, img)
		}
	}
	return m, nil
}

func resolvePlatform(fsys fs.FS, links *linkResolver, m *Manifest, img *Image, pm *PlatformModel, vars *variables, where string) (*Platform, error) {
	p := &Platform{Image: img, Model: pm, Dockerfile: pm.Dockerfile, OSVersion: pm.OSVersion, Variant: pm.Variant}
	switch strings.ToLower(pm.OS) {
	case "linux", "windows":
		p.OS = strings.ToLower(pm.OS)
	case "":
		return nil, errors.New("os: required (linux or windows)")
	default:
		return nil, fmt.Errorf("os: %q is not linux or windows", pm.OS)
	}
	switch strings.ToLower(pm.Architecture) {
	case "", "amd64":
		p.Architecture = "amd64"
	case "arm64", "arm":
		p.Architecture = strings.ToLower(pm.Architecture)
	default:
		return nil, fmt.Errorf("architecture: %q is not amd64, arm64 or arm", pm.Architecture)
	}
	if pm.Tags == nil {
		return nil, errors.New("tags: required")
	}
	for _, t := range pm.Tags {
		tag, err := resolveTag(vars, t, where+".tags")
		if err != nil {
			return nil, err
		}
		p.Tags = append(p.Tags, tag)
	}
	for _, a := range pm.BuildArgs {
		val, err := vars.substitute(a.Value, where+".buildArgs."+a.Key)
		if err != nil {
			return nil, err
		}
		p.BuildArgs = append(p.BuildArgs, Entry[string]{a.Key, val})
	}
	for gi, g := range pm.CustomBuildLegGroups {
		deps := make([]string, len(g.Dependencies))
		for di, d := range g.Dependencies {
			val, err := vars.substitute(d, fmt.Sprintf("%s.customBuildLegGroups[%d].dependencies[%d]", where, gi, di))
			if err != nil {
				return nil, err
			}
			deps[di] = val
		}
		p.CustomBuildLegGroups = append(p.CustomBuildLegGroups, CustomBuildLegGroupModel{Name: g.Name, Type: g.Type, Dependencies: deps})
	}
	if pm.Dockerfile == "" {
		return nil, errors.New("dockerfile: required")
	}
	rel, file, err := resolveDockerfile(fsys, links, m.Dir, pm.Dockerfile)
	if err != nil {
		return nil, fmt.Errorf("dockerfile %q: %w", pm.Dockerfile, err)
	}
	p.DockerfilePath, p.FilePath = rel, file
	return p, nil
}

// resolveTag substitutes variables in a tag's name and syndication settings.
func resolveTag(vars *variables, t Entry[TagModel], where string) (Tag, error) {
	name, err := vars.substitute(t.Key, where)
	if err != nil {
		return Tag{}, err
	}
	tag := Tag{Name: name, Model: t.Value}
	if s := t.Value.Syndication; s != nil {
		syn := &SyndicationModel{DestinationTags: make([]string, len(s.DestinationTags))}
		if syn.Repo, err = vars.substitute(s.Repo, where+".syndication.repo"); err != nil {
			return Tag{}, err
		}
		for i, d := range s.DestinationTags {
			if syn.DestinationTags[i], err = vars.substitute(d, where+".syndication.destinationTags"); err != nil {
				return Tag{}, err
			}
		}
		tag.Syndication = syn
	}
	return tag, nil
}
