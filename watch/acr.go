package watch

import "errors"

// acrWebhook is the body of an Azure Container Registry webhook: one event, not an
// envelope. Image pushes have action "push" with target.repository and target.tag; Helm
// chart pushes ("chart_push"), deletions and quarantines share the shape. Detection needs
// "action" and "target"; posted to /webhook/acr, a body with another action and no target
// (a ping) is accepted and ignored.
type acrWebhook struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Action    string `json:"action"`
	Target    *struct {
		MediaType  string `json:"mediaType"`
		Digest     string `json:"digest"`
		Repository string `json:"repository"`
		Tag        string `json:"tag"`
	} `json:"target"`
	Request struct {
		Host string `json:"host"`
	} `json:"request"`
}

func parseACR(body []byte) ([]Event, error) {
	var h acrWebhook
	if err := decodeObject(body, &h); err != nil {
		return nil, err
	}
	switch {
	case h.Action == "":
		return nil, errors.New(`"action" is required`)
	case h.Target == nil && h.Action == ActionPush:
		return nil, errors.New(`"target" is required for a push`)
	case h.Target == nil:
		// Another action without a target (the ping of `az acr webhook ping`): nothing to
		// do, but no reason for the registry to report a failed delivery either.
		return []Event{{Action: h.Action, Host: h.Request.Host, ID: h.ID, Time: parseTime(h.Timestamp)}}, nil
	}
	return []Event{{
		Action:     h.Action,
		Host:       h.Request.Host,
		Repository: h.Target.Repository,
		Tag:        h.Target.Tag,
		Digest:     h.Target.Digest,
		MediaType:  h.Target.MediaType,
		ID:         h.ID,
		Time:       parseTime(h.Timestamp),
	}}, nil
}
