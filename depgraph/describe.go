package depgraph

import (
	"slices"

	"github.com/baseflow/baseflow/dockerfile"
	"github.com/baseflow/baseflow/manifest"
)

// PlatformView is a platform of the graph in a form meant for JSON output.
type PlatformView struct {
	Dockerfile     string     `json:"dockerfile"`
	DockerfilePath string     `json:"dockerfilePath"`
	Repo           string     `json:"repo"`
	OS             string     `json:"os"`
	OSVersion      string     `json:"osVersion"`
	Architecture   string     `json:"architecture"`
	Variant        string     `json:"variant"`
	ProductVersion string     `json:"productVersion"`
	Tags           []string   `json:"tags"`
	From           []FromView `json:"from"`
	Final          FinalView  `json:"final"`
	Parents        []string   `json:"parents"`
}

// FromView is one stage base.
type FromView struct {
	Image string          `json:"image"`
	Stage string          `json:"stage"`
	Kind  dockerfile.Kind `json:"kind"`
}

// FinalView is the final stage's base.
type FinalView struct {
	Image string          `json:"image"`
	Kind  dockerfile.Kind `json:"kind"`
}

// View describes every platform of the graph, in manifest order.
func (g *Graph) View() []PlatformView {
	out := make([]PlatformView, len(g.Nodes))
	for i, n := range g.Nodes {
		p := n.Platform
		v := PlatformView{
			Dockerfile:     p.Dockerfile,
			DockerfilePath: p.DockerfilePath,
			Repo:           p.Repo().Name,
			OS:             p.OS,
			OSVersion:      p.OSVersion,
			Architecture:   p.Architecture,
			Variant:        p.Variant,
			ProductVersion: p.Image.ProductVersion,
			Tags:           manifest.TagNames(p.Tags),
			From:           make([]FromView, len(n.From)),
			Final:          FinalView{Image: n.Final.Image, Kind: n.Final.Kind},
			Parents:        []string{},
		}
		for j, b := range n.From {
			v.From[j] = FromView{Image: b.Image, Stage: b.Stage, Kind: b.Kind}
		}
		for _, parent := range n.Parents {
			if !slices.Contains(v.Parents, parent.Platform.Dockerfile) {
				v.Parents = append(v.Parents, parent.Platform.Dockerfile)
			}
		}
		out[i] = v
	}
	return out
}
