package imageinfo_test

import (
	"fmt"
	"os"

	"github.com/baseflow/baseflow/imageinfo"
	"github.com/baseflow/baseflow/manifest"
)

// A publish-time merge: a build of one platform is merged into the published file.
func Example() {
	m, err := manifest.Load(os.DirFS("../testdata/docker-tools/src"), "manifest.json",
		manifest.Options{Variables: map[string]string{"UniqueId": ""}})
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := os.ReadFile("../testdata/docker-tools/image-info.dotnet-docker-tools-main-imagebuilder.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	published, err := imageinfo.Parse("image-info.json", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	build, err := imageinfo.Parse("build.json", []byte(`{
  "schemaVersion": "2.0",
  "repos": [{"repo": "dotnet-buildtools/image-builder", "images": [{
    "manifest": {"sharedTags": ["latest", "3060000"]},
    "platforms": [{
      "dockerfile": "Dockerfile.linux",
      "simpleTags": ["linux-amd64-3060000", "linux-amd64"],
      "digest": "mcr.microsoft.com/dotnet-buildtools/image-builder@sha256:0123",
      "baseImageDigest": "mcr.microsoft.com/dotnet/runtime@sha256:4567",
      "osType": "Linux", "osVersion": "azurelinux", "architecture": "amd64",
      "commitUrl": "https://github.com/dotnet/docker-tools/blob/89abcdef89abcdef89abcdef89abcdef89abcdef/Dockerfile.linux"
    }]
  }]}]
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Publish-time rules: entries that match nothing stay unbound rather than failing.
	for _, d := range []*imageinfo.Document{published, build} {
		if err := imageinfo.Bind(d, m, imageinfo.BindOptions{SkipManifestValidation: true}); err != nil {
			fmt.Println(err)
			return
		}
	}
	if _, err := imageinfo.RemoveOutOfDateContent(published); err != nil {
		fmt.Println(err)
		return
	}
	if err := imageinfo.Merge(published, build, imageinfo.MergeOptions{Publish: true}); err != nil {
		fmt.Println(err)
		return
	}

	e, _ := imageinfo.NewIndex(published).Lookup(m.Platforms()[0])
	fmt.Println(e.Platform.Digest)
	fmt.Println(*e.Platform.BaseImageDigest)
	fmt.Println(e.Platform.SimpleTags, e.Image.Manifest.SharedTags)
	fmt.Println(e.Platform.Created == "", len(e.Platform.Layers))
	fmt.Println(published.Count())
	// Output:
	// mcr.microsoft.com/dotnet-buildtools/image-builder@sha256:0123
	// mcr.microsoft.com/dotnet/runtime@sha256:4567
	// [linux-amd64 linux-amd64-3060000] [3060000 latest]
	// true 0
	// {1 1 5}
}

func ExampleMarshal() {
	d := &imageinfo.Document{Repos: []*imageinfo.Repo{{
		Repo: "dotnet/runtime",
		Images: []*imageinfo.Image{{
			ProductVersion: new("10.0.11"),
			Platforms: []*imageinfo.Platform{{
				Dockerfile:   "src/runtime/10.0/noble/amd64/Dockerfile",
				Digest:       "mcr.microsoft.com/dotnet/runtime@sha256:0123",
				OSType:       "Linux",
				OSVersion:    "noble",
				Architecture: "amd64",
				CommitURL:    "https://github.com/dotnet/dotnet-docker/blob/0123/src/runtime/10.0/noble/amd64/Dockerfile",
			}},
		}},
	}}}
	os.Stdout.Write(imageinfo.Marshal(d))
	// Output:
	// {
	//   "schemaVersion": "2.0",
	//   "repos": [
	//     {
	//       "repo": "dotnet/runtime",
	//       "images": [
	//         {
	//           "productVersion": "10.0.11",
	//           "platforms": [
	//             {
	//               "dockerfile": "src/runtime/10.0/noble/amd64/Dockerfile",
	//               "digest": "mcr.microsoft.com/dotnet/runtime@sha256:0123",
	//               "osType": "Linux",
	//               "osVersion": "noble",
	//               "architecture": "amd64",
	//               "commitUrl": "https://github.com/dotnet/dotnet-docker/blob/0123/src/runtime/10.0/noble/amd64/Dockerfile"
	//             }
	//           ]
	//         }
	//       ]
	//     }
	//   ]
	// }
}

// ExampleMergeFiles merges the files two build jobs wrote, as merge-image-info does at build
// time without a manifest.
func ExampleMergeFiles() {
	job := func(arch string) []byte {
		return []byte(`{"schemaVersion": "2.0", "repos": [{"repo": "dotnet/runtime", "images": [{"productVersion": "10.0.11",
		  "manifest": {"sharedTags": ["10.0"]}, "platforms": [{"dockerfile": "src/runtime/10.0/noble/` + arch + `/Dockerfile",
		  "simpleTags": ["10.0-noble-` + arch + `"], "digest": "mcr.microsoft.com/dotnet/runtime@sha256:0123",
		  "osType": "Linux", "osVersion": "noble", "architecture": "` + arch + `", "commitUrl": ""}]}]}]}`)
	}
	rep, err := imageinfo.MergeFiles([]imageinfo.File{
		{Name: "image-info-amd64.json", Data: job("amd64")},
		{Name: "image-info-arm64.json", Data: job("arm64")},
	}, imageinfo.MergeFilesOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range rep.Merged {
		fmt.Println("merged", f.Name, f.Counts.Platforms, "platform")
	}
	fmt.Printf("%+v\n", rep.Document.Count())
	// Output:
	// merged image-info-amd64.json 1 platform
	// merged image-info-arm64.json 1 platform
	// {Repos:1 Images:1 Platforms:2}
}
