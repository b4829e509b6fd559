package cli

// ImageBuilderAliases are ImageBuilder's spellings of flags that mean exactly what the
// baseflow flag means; commands that have the flag accept them.
var ImageBuilderAliases = []Alias{
	{Name: "subscriptions-path", Flag: "subscriptions"},
}

// ImageBuilderForeign answers ImageBuilder's flags that have no one-to-one equivalent with
// what to use instead.
var ImageBuilderForeign = map[string]string{
	"source-repo-prefix": "baseflow looks bases up through mirrors: pass --mirror REGISTRY=MIRROR/PREFIX per upstream registry " +
		"(for ImageBuilder's --registry-override ACR --source-repo-prefix mirror/: --mirror docker.io=ACR/mirror --mirror ubuntu.azurecr.io=ACR/mirror/ubuntu.azurecr.io)",
	"registry-creds": "registry credentials come from docker's config.json (DOCKER_CONFIG, docker login) or its credential helpers, never from the command line",
	"gh-token":       "the GitHub token is read from GITHUB_TOKEN in the environment, never from the command line",
	"git-owner":      "name the repository for notifications with --notify-repo OWNER/REPO",
	"git-repo":       "name the repository for notifications with --notify-repo OWNER/REPO",
	"repo":           "select platforms with --path GLOB (the Dockerfile directory, e.g. 'src/runtime/*')",
}
