package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/baseflow/baseflow"
	"github.com/baseflow/baseflow/check"
	"github.com/baseflow/baseflow/dispatch"
	"github.com/baseflow/baseflow/dispatch/dispatchtest"
	"github.com/baseflow/baseflow/internal/atomicfile"
	"github.com/baseflow/baseflow/internal/checkflags"
	"github.com/baseflow/baseflow/internal/cli"
	"github.com/baseflow/baseflow/internal/fixture"
	"github.com/baseflow/baseflow/manifest"
	"github.com/baseflow/baseflow/registry"
	"github.com/baseflow/baseflow/registry/registrytest"
	"github.com/baseflow/baseflow/subscription"
)

// sample is the demo's repository: a manifest with a runtime-deps → runtime → aspnet → sdk
// chain for linux/amd64, linux/arm64 and windows/amd64.
//
//go:embed sample
var sample embed.FS

const (
	demoOwner      = "contoso"
	demoRepo       = "images"
	demoInfoRepo   = "versions"
	demoInfoPath   = "build-info/image-info.contoso-images-main.json"
	demoPipelineID = 42
)

// demoRun is what the demo did, for its test.
type demoRun struct {
	Checks []*baseflow.Outcome // up to date; after the builder-only base moved; after alpine moved
	Queued []dispatchtest.Queued
}

// runDemo runs the self-contained demo: an in-process registry holding the base images, the
// sample repository as real git repositories in a temporary directory, and a recording
// pipeline. It checks three times: with every base as recorded, after a base used only by a
// builder stage moved, and after the final-stage base alpine:3.20 moved.
func runDemo(ctx context.Context, stdout io.Writer, log *slog.Logger) (*demoRun, error) {
	start := time.Now()
	fmt.Fprintln(stdout, "baseflow demo: an in-process registry, a sample repository in git and a recording pipeline; nothing leaves this machine.")

	reg := registrytest.New()
	defer reg.Close()
	linux := []registry.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}}
	alpine, err := reg.PushIndex("library/alpine", "3.20", ocispec.MediaTypeImageIndex, linux...)
	if err != nil {
		return nil, err
	}
	debian, err := reg.PushIndex("library/debian", "bookworm-slim", registry.MediaTypeDockerManifestList, linux...)
	if err != nil {
		return nil, err
	}
	nano, err := reg.PushImage("windows/nanoserver", "ltsc2022", registry.Platform{OS: "windows", Architecture: "amd64"})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "\n1. Registry %s (standing in for Docker Hub and mcr.microsoft.com through --mirror):\n", reg.Host())
	fmt.Fprintf(stdout, "     alpine:3.20                                 %s (linux/amd64, linux/arm64)\n", alpine.Digest)
	fmt.Fprintf(stdout, "     debian:bookworm-slim                        %s (linux/amd64, linux/arm64)\n", debian.Digest)
	fmt.Fprintf(stdout, "     mcr.microsoft.com/windows/nanoserver:ltsc2022 %s (windows/amd64)\n", nano)

	dir, err := os.MkdirTemp("", "baseflow-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	flags := checkflags.CheckFlags{
		Subscriptions:   filepath.Join(dir, "subscriptions.json"),
		ImageInfoSource: "git",
		Mirrors:         cli.Strings{"docker.io=" + reg.Host(), "mcr.microsoft.com=" + reg.Host()},
		Concurrency:     4,
	}
	flags.RepoURL, err = layOut(dir, reg)
	if err != nil {
		return nil, err
	}
	chk, err := flags.NewCheck(os.Getenv, log, nil)
	if err != nil {
		return nil, err
	}
	defer chk.Close()
	fmt.Fprintf(stdout, "\n2. Git repositories under %s:\n", dir)
	fmt.Fprintf(stdout, "     %s/%s     manifest.json and 12 Dockerfiles (runtime-deps → runtime → aspnet → sdk; linux amd64/arm64, windows amd64)\n", demoOwner, demoRepo)
	fmt.Fprintf(stdout, "     %s/%s   %s, recording the digests of today's bases\n", demoOwner, demoInfoRepo, demoInfoPath)
	fmt.Fprintf(stdout, "     subscriptions.json: %s/%s/main/manifest.json → Azure DevOps definition %d\n", demoOwner, demoRepo, demoPipelineID)

	recorder := dispatchtest.NewRecorder()
	cfg := baseflow.Config{
		Subscriptions: chk.Subscriptions,
		Checker:       chk.Checker,
		Dispatcher:    &dispatch.Dispatcher{Backends: dispatch.Backends{subscription.AzureDevOps: recorder, subscription.GitHubActions: recorder}, Logger: log},
	}
	run := &demoRun{}
	var before *check.RegistryReport
	checkOnce := func(title string) (*baseflow.Outcome, error) {
		// Each check is a new run: it must see tags that moved since the last one.
		chk.Checker.Cache.Reset()
		out, err := baseflow.Check(ctx, cfg)
		if err != nil {
			return nil, err
		}
		run.Checks = append(run.Checks, out)
		fmt.Fprintf(stdout, "\n%s\n", title)
		// The client counts for the whole run; show what this check asked.
		after := chk.RegistryReport()
		delta := *after
		if before != nil {
			delta.Requests -= before.Requests
			delta.Heads -= before.Heads
			delta.Gets -= before.Gets
			delta.TokenRequests -= before.TokenRequests
			delta.Challenges -= before.Challenges
			delta.Retries -= before.Retries
		}
		before = after
		var report strings.Builder
		if err := check.NewReport(out.Results, &delta).WriteText(&report); err != nil {
			return nil, err
		}
		fmt.Fprint(stdout, indented(report.String(), "     "))
		for _, q := range out.Queued {
			if q.Outcome != dispatch.NothingToDo {
				fmt.Fprintf(stdout, "     %s on %s: %s\n       branch %s, parameters %s\n", q.Outcome, q.Target, q.Run.WebURL, q.Target.Branch, q.Parameters)
			}
		}
		if out.Failed() {
			return nil, errors.New("the demo check failed; see above")
		}
		return out, nil
	}

	if _, err := checkOnce("3. Check: every base is at the digest image-info recorded."); err != nil {
		return nil, err
	}
	moved, err := reg.MoveTag("library/debian", "bookworm-slim")
	if err != nil {
		return nil, err
	}
	if _, err := checkOnce(fmt.Sprintf("4. debian:bookworm-slim moved to %s. Only a builder stage uses it, so no image is stale:", short(moved))); err != nil {
		return nil, err
	}
	moved, err = reg.MoveTag("library/alpine", "3.20")
	if err != nil {
		return nil, err
	}
	if _, err := checkOnce(fmt.Sprintf("5. alpine:3.20 moved to %s. Its images and everything built on them are stale, in build waves:", short(moved))); err != nil {
		return nil, err
	}
	run.Queued = recorder.Queued()
	fmt.Fprintf(stdout, "\nDone in %s: %d build queued on the recording pipeline; temporary files removed.\n", time.Since(start).Round(10*time.Millisecond), len(run.Queued))
	fmt.Fprintln(stdout, "Run it on your own subscriptions: check-base-images --subscriptions FILE --dry-run (see --help).")
	return run, nil
}

// layOut writes the sample repository and an image-info file recording the registry's
// current base digests as git repositories under dir/git/<owner>/<repo>, and a subscriptions
// file at dir/subscriptions.json. It returns the --repo-url template for them, a file://
// URL.
func layOut(dir string, reg *registrytest.Server) (string, error) {
	root, err := fs.Sub(sample, "sample/images")
	if err != nil {
		return "", err
	}
	// What a build of the sample records today: every base at its current digest.
	info, err := fixture.ImageInfo(root, "manifest.json", manifest.Options{}, reg.DigestOf)
	if err != nil {
		return "", err
	}
	git := filepath.Join(dir, "git", demoOwner)
	if err := fixture.GitRepo(filepath.Join(git, demoRepo), root); err != nil {
		return "", err
	}
	if err := fixture.GitRepo(filepath.Join(git, demoInfoRepo), fixture.Files(map[string]string{demoInfoPath: string(info)})); err != nil {
		return "", err
	}
	subs := []subscription.Subscription{{
		Manifest:        subscription.ManifestFile{Owner: demoOwner, Repo: demoRepo, Branch: "main", Path: "manifest.json"},
		ImageInfo:       subscription.GitFile{Owner: demoOwner, Repo: demoInfoRepo, Branch: "main", Path: demoInfoPath},
		PipelineTrigger: subscription.PipelineTrigger{ID: demoPipelineID, PathVariable: "imageBuilder.pathArgs"},
	}}
	data, err := json.MarshalIndent(subs, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "subscriptions.json"), append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return "file://" + filepath.ToSlash(filepath.Join(dir, "git")) + "/{owner}/{repo}", nil
}

// indented returns text with every line prefixed.
func indented(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

func short(d fmt.Stringer) string { return d.String()[:len("sha256:")+12] }
