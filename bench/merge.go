package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/imageinfo/imageinfotest"
	"github.com/baseflow/baseflow/manifest"
)

// mergeJobs is the number of per-job image-info files the published file is merged from.
const mergeJobs = 16

// mergeCase is the published image-info split into per-job files.
type mergeCase struct {
	m         *manifest.Manifest
	published []byte
	parts     [][]byte
}

func newMergeCase(fx *fixture) (*mergeCase, error) {
	published := fx.files[imageInfoFile].Data
	d, err := imageinfo.Parse(imageInfoFile, published)
	if err != nil {
		return nil, err
	}
	mc := &mergeCase{m: fx.m, published: published}
	for _, p := range imageinfotest.Split(d, mergeJobs, nil) {
		mc.parts = append(mc.parts, imageinfo.Marshal(p))
	}
	return mc, nil
}

// merge is what merge-image-info does with a manifest (imageinfo.MergeFiles): parse each
// per-job file, bind it to the manifest, merge it into an empty document bound to the
// manifest, and write the result. The result must be the published file, byte for byte.
func (mc *mergeCase) merge() error {
	files := make([]imageinfo.File, len(mc.parts))
	for k, data := range mc.parts {
		files[k] = imageinfo.File{Name: fmt.Sprintf("image-info-%02d.json", k), Data: data}
	}
	rep, err := imageinfo.MergeFiles(files, imageinfo.MergeFilesOptions{Manifest: mc.m})
	if err != nil {
		return err
	}
	if out := imageinfo.Marshal(rep.Document); !bytes.Equal(out, mc.published) {
		return fmt.Errorf("merge: %w: %d bytes written, the published file has %d", errMismatch, len(out), len(mc.published))
	}
	return nil
}

// floor decodes each per-job file into map[string]any and encodes it again, indented as
// image-info is: the same bytes in and about the same bytes out, with no model.
func (mc *mergeCase) floor() error {
	for _, data := range mc.parts {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		if _, err := json.MarshalIndent(v, "", "  "); err != nil {
			return err
		}
	}
	return nil
}

// partBytes is the size of the per-job files together.
func (mc *mergeCase) partBytes() int {
	n := 0
	for _, p := range mc.parts {
		n += len(p)
	}
	return n
}
