package watch

import (
	"errors"
	"math"
	"time"
)

// dockerHubWebhook is the body of a Docker Hub repository webhook. Docker Hub sends one per
// push, with no action field (a push is the only trigger), no digest and no registry host:
// the repository is repository.repo_name ("namespace/name") on docker.io.
type dockerHubWebhook struct {
	PushData *struct {
		PushedAt float64 `json:"pushed_at"`
		Pusher   string  `json:"pusher"`
		Tag      string  `json:"tag"`
	} `json:"push_data"`
	Repository *struct {
		RepoName  string `json:"repo_name"`
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"repository"`
}

func parseDockerHub(body []byte) ([]Event, error) {
	var h dockerHubWebhook
	if err := decodeObject(body, &h); err != nil {
		return nil, err
	}
	if h.PushData == nil || h.Repository == nil {
		return nil, errors.New(`"push_data" and "repository" are required`)
	}
	repo := h.Repository.RepoName
	if repo == "" && h.Repository.Name != "" {
		repo = h.Repository.Name
		if h.Repository.Namespace != "" {
			repo = h.Repository.Namespace + "/" + repo
		}
	}
	if repo == "" {
		return nil, errors.New(`"repository.repo_name" is required`)
	}
	e := Event{Action: ActionPush, Host: "docker.io", Repository: repo, Tag: h.PushData.Tag}
	if at := h.PushData.PushedAt; at > 0 && at < 1e11 { // seconds since 1970, before year 5000
		sec, frac := math.Modf(at)
		e.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	return []Event{e}, nil
}
