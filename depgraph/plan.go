package depgraph

// Waves splits the rebuild set into build waves: every path of a wave is built only on paths
// of earlier waves (or on external bases), so each wave can build in parallel once the
// previous one is published. Paths keep the result's order within a wave. Waves are computed
// over paths, not platforms: a Dockerfile shared by several platforms is built once, after
// everything any of its platforms builds on.
func (r *Result) Waves() [][]string {
	if len(r.Images) == 0 {
		return nil
	}
	pathOf := map[*Node]int{} // node -> index into r.Images
	for i, img := range r.Images {
		for _, p := range img.Platforms {
			pathOf[r.graph.Nodes[p.Index]] = i
		}
	}
	const inProgress = -1
	level := make(map[int]int, len(r.Images))
	var visit func(i int) int
	visit = func(i int) int {
		if d, ok := level[i]; ok {
			if d == inProgress {
				return 0 // paths that build on each other through shared Dockerfiles: same wave
			}
			return d
		}
		level[i] = inProgress
		d := 0
		for _, p := range r.Images[i].Platforms {
			for _, parent := range r.graph.Nodes[p.Index].Parents {
				if j, ok := pathOf[parent]; ok && j != i {
					d = max(d, visit(j)+1)
				}
			}
		}
		level[i] = d
		return d
	}
	var waves [][]string
	for i, img := range r.Images {
		w := visit(i)
		for len(waves) <= w {
			waves = append(waves, nil)
		}
		waves[w] = append(waves[w], img.Path)
	}
	return waves
}
