package subscription_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/baseflow/baseflow/subscription"
)

func TestLoadRealSubscriptionsFile(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Load("../testdata/check-base-image-subscriptions.json")
	require.NoError(t, err)
	require.Len(t, subs, 5)
	ids := make([]string, len(subs))
	for i, s := range subs {
		ids[i] = s.ID()
	}
	assert.Equal(t, []string{
		"dotnet/docker-tools/main/src/manifest.json",
		"dotnet/dotnet-docker/main/manifest.json",
		"dotnet/dotnet-docker/nightly/manifest.json",
		"dotnet/dotnet-docker/main/manifest.samples.json",
		"Microsoft/dotnet-framework-docker/main/manifest.samples.json",
	}, ids)
	assert.Equal(t, map[string]string{"UniqueId": ""}, subs[0].Manifest.Variables)
	assert.Equal(t, subscription.PipelineTrigger{ID: 373, PathVariable: "imageBuilder.pathArgs"}, subs[1].PipelineTrigger)
	assert.Equal(t, subscription.AzureDevOps, subs[1].PipelineTrigger.Backend())
	assert.Equal(t, "linux", subs[1].OSType)
	assert.Equal(t, subscription.GitFile{Owner: "dotnet", Repo: "versions", Branch: "main", Path: "build-info/docker/image-info.dotnet-dotnet-docker-main.json"}, subs[1].ImageInfo)
}

const valid = `{"manifest": {"owner": "o", "repo": "r", "branch": "main", "path": "manifest.json"},
  "imageInfo": {"owner": "o", "repo": "versions", "branch": "main", "path": "info.json"},
  "pipelineTrigger": {"id": 7, "pathVariable": "imageBuilder.pathArgs"}}`

func TestParseErrors(t *testing.T) {
	t.Parallel()
	edit := func(old, new string) string { return "[" + strings.Replace(valid, old, new, 1) + "]" }
	tests := []struct {
		name, content, want string
	}{
		{"not an array", `{}`, "subs.json:1:1: cannot use JSON object as []subscription.Subscription"},
		{"null", `null`, "subs.json: expected a JSON array of subscriptions, got null"},
		{"truncated", `[{"manifest": {"owner": "o"`, "subs.json:1:28: unexpected end of JSON input"},
		{"syntax", "[\n  {\"manifest\": }\n]", "subs.json:2:16: invalid character '}'"},
		{"wrong type", edit(`"id": 7`, `"id": "7"`), `subs.json:3:31: field pipelineTrigger.id: cannot use JSON string as int`},
		{"missing field", edit(`"branch": "main", "path": "manifest.json"`, `"path": "manifest.json"`), "subs.json: [0].manifest.branch: required"},
		{"missing image-info path", edit(`"path": "info.json"`, `"path": ""`), "subs.json: [0].imageInfo.path: required"},
		{"no pipeline", edit(`"id": 7, `, ``), "subs.json: [0].pipelineTrigger.id: required: a positive Azure DevOps definition id (or set workflow for GitHub Actions)"},
		{"both backends", edit(`"id": 7, `, `"id": 7, "workflow": "build.yml", `), "subs.json: [0].pipelineTrigger: set either id (Azure DevOps) or workflow (GitHub Actions), not both"},
		{"quote in a path", edit(`"path": "manifest.json"`, `"path": "manifest'.json"`), `subs.json: [0].manifest.path: "manifest'.json": character U+0027 (') at position 9 is not allowed`},
		{"look-alike quote in a path", edit(`"path": "info.json"`, `"path": "info\u2019.json"`), "subs.json: [0].imageInfo.path: \"info\u2019.json\": character U+2019 (\u2019) at position 5 is not allowed; use letters, digits, spaces and ._-/+@,=~"},
		{"look-alike quote in the path variable", edit(`"pathVariable": "imageBuilder.pathArgs"`, `"pathVariable": "x\u201b"`), "subs.json: [0].pipelineTrigger.pathVariable: \"x\u201b\": character U+201B (\u201b) at position 2 is not allowed"},
		{"newline in a branch", edit(`"branch": "main", "path": "manifest.json"`, `"branch": "ma\nin", "path": "manifest.json"`), `subs.json: [0].manifest.branch: "ma\nin": character U+000A at position 3 is not allowed`},
		{"path escapes", edit(`"path": "info.json"`, `"path": "../info.json"`), `subs.json: [0].imageInfo.path: "../info.json" must be a relative path inside the repository`},
		{"absolute path", edit(`"path": "manifest.json"`, `"path": "/manifest.json"`), `subs.json: [0].manifest.path: "/manifest.json" must be a relative path inside the repository`},
		{"workflow with a slash", edit(`"id": 7, `, `"workflow": "../x.yml", `), `subs.json: [0].pipelineTrigger.workflow: "../x.yml" must be a workflow file name or id`},
		{"duplicate", "[" + valid + "," + valid + "]", "subs.json: [1]: subscription o/r/main/manifest.json repeats entry [0]"},
		{"trailing data", "[" + valid + "] []", "subs.json:3:75: unexpected data after the JSON array"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := subscription.Parse("subs.json", []byte(tc.content))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseGitHubActionsTrigger(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("s.json", []byte("["+strings.Replace(valid, `"id": 7, `, `"workflow": "rebuild.yml", `, 1)+"]"))
	require.NoError(t, err)
	assert.Equal(t, subscription.GitHubActions, subs[0].PipelineTrigger.Backend())
	assert.Equal(t, "rebuild.yml", subs[0].PipelineTrigger.Workflow)
}

func TestLoadLimits(t *testing.T) {
	t.Parallel()
	_, err := subscription.Load(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(subscription.MaxFileSize+10))
	require.NoError(t, f.Close())
	_, err = subscription.Load(big)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than")
}

func TestImagePathsJSON(t *testing.T) {
	t.Parallel()
	out, err := subscription.MarshalImagePaths(nil)
	require.NoError(t, err)
	assert.Equal(t, "[]", string(out))

	out, err = subscription.MarshalImagePaths([]subscription.ImagePaths{
		{SubscriptionID: "a/b/main/manifest.json", ImagePaths: []string{"src/x<y>&z", "src/w"}},
		{SubscriptionID: "a/b/main/other.json"},
	})
	require.NoError(t, err)
	assert.Equal(t, `[{"SubscriptionId":"a/b/main/manifest.json","ImagePaths":["src/x<y>&z","src/w"]}]`, string(out))

	back, err := subscription.ParseImagePaths("x", out)
	require.NoError(t, err)
	assert.Equal(t, []subscription.ImagePaths{{SubscriptionID: "a/b/main/manifest.json", ImagePaths: []string{"src/x<y>&z", "src/w"}}}, back)

	_, err = subscription.ParseImagePaths("arg", []byte(`[{"ImagePaths":[]}]`))
	assert.EqualError(t, err, "arg: [0].SubscriptionId: required")
	_, err = subscription.ParseImagePaths("arg", []byte(`[{"SubscriptionId":`))
	assert.ErrorContains(t, err, "arg:1:20: unexpected end of JSON input")
}

func TestShard(t *testing.T) {
	t.Parallel()
	var subs []subscription.Subscription
	for i := range 40 {
		var s subscription.Subscription
		s.Manifest.Owner, s.Manifest.Repo, s.Manifest.Branch = "o", "r", "main"
		s.Manifest.Path = "manifest" + strings.Repeat("x", i) + ".json"
		subs = append(subs, s)
	}
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		part := subscription.Shard(subs, i, 3)
		assert.NotEmpty(t, part, "40 ids spread over 3 shards leave none empty")
		for _, s := range part {
			seen[s.ID()]++
			assert.Equal(t, i, subscription.ShardOf(s.ID(), 3))
		}
	}
	assert.Len(t, seen, 40)
	for id, n := range seen {
		assert.Equal(t, 1, n, id)
	}
	assert.Equal(t, subs, subscription.Shard(subs, 1, 1))
	// The hash is part of the contract: jobs of one matrix must agree on it.
	assert.Equal(t, 4, subscription.ShardOf("dotnet/dotnet-docker/main/manifest.json", 4))

	for _, bad := range []string{"0/3", "4/3", "1", "a/b", "1/0", ""} {
		_, _, err := subscription.ParseShard(bad)
		assert.Error(t, err, bad)
	}
	i, n, err := subscription.ParseShard("2/4")
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 4}, [2]int{i, n})
}

// TestByteOrderMark checks that a subscriptions file (and a stale-path value) that begins with
// a UTF-8 byte order mark is read like the same file without it.
func TestByteOrderMark(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../testdata/check-base-image-subscriptions.json")
	require.NoError(t, err)
	want, err := subscription.Parse("subs.json", data)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "subs.json")
	require.NoError(t, os.WriteFile(path, append([]byte("\xef\xbb\xbf"), data...), 0o644))
	got, err := subscription.Load(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = subscription.Parse("subs.json", []byte("\xef\xbb\xbf[{\"manifest\": {\"owner\": \"o\""))
	assert.EqualError(t, err, "subs.json:1:28: unexpected end of JSON input")

	paths, err := subscription.ParseImagePaths("paths.json", []byte("\xef\xbb\xbf"+`[{"SubscriptionId": "a", "ImagePaths": ["src/a"]}]`))
	require.NoError(t, err)
	assert.Equal(t, []subscription.ImagePaths{{SubscriptionID: "a", ImagePaths: []string{"src/a"}}}, paths)
}

// TestParseWithoutPipelineTrigger: a check needs no pipelineTrigger; queueing does.
func TestParseWithoutPipelineTrigger(t *testing.T) {
	t.Parallel()
	subs, err := subscription.Parse("subs.json", []byte(`[{"manifest": {"owner": "o", "repo": "r", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "o", "repo": "versions", "branch": "main", "path": "info.json"}}]`))
	require.NoError(t, err)
	require.Len(t, subs, 1)
	assert.True(t, subs[0].PipelineTrigger.IsZero())
	assert.NoError(t, subs[0].ValidateSources())
	assert.EqualError(t, subs[0].Validate(), ".pipelineTrigger.pathVariable: required")
}

func TestWorkingCopy(t *testing.T) {
	t.Parallel()
	s, manifests, info := subscription.WorkingCopy("repo/manifest.json", "../versions/image-info.json", map[string]string{"a": "b"})
	assert.Equal(t, "repo/manifest.json", s.ID())
	assert.Equal(t, "manifest.json", s.Manifest.Path)
	assert.Equal(t, "image-info.json", s.ImageInfo.Path)
	assert.Equal(t, subscription.DirSource{Root: "repo/"}, manifests)
	assert.Equal(t, subscription.DirSource{Root: "../versions/"}, info)
	_, err := info.ReadFile(context.Background(), "", "", "", "../x")
	assert.ErrorContains(t, err, "not a path inside")
}
