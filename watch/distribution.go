package watch

import "errors"

// distributionEnvelope is the body of a CNCF distribution notification: one or more events.
// Distribution sends an event per manifest or blob pushed or pulled; a manifest pushed by tag
// carries target.tag, and request.host is the registry's host as the pushing client named it.
type distributionEnvelope struct {
	Events *[]distributionEvent `json:"events"`
}

type distributionEvent struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Action    string `json:"action"`
	Target    struct {
		MediaType  string `json:"mediaType"`
		Digest     string `json:"digest"`
		Repository string `json:"repository"`
		Tag        string `json:"tag"`
	} `json:"target"`
	Request struct {
		Host string `json:"host"`
	} `json:"request"`
}

func parseDistribution(body []byte) ([]Event, error) {
	var env distributionEnvelope
	if err := decodeObject(body, &env); err != nil {
		return nil, err
	}
	if env.Events == nil {
		return nil, errors.New(`no "events" array`)
	}
	events := make([]Event, 0, len(*env.Events))
	for _, e := range *env.Events {
		events = append(events, Event{
			Action:     e.Action,
			Host:       e.Request.Host,
			Repository: e.Target.Repository,
			Tag:        e.Target.Tag,
			Digest:     e.Target.Digest,
			MediaType:  e.Target.MediaType,
			ID:         e.ID,
			Time:       parseTime(e.Timestamp),
		})
	}
	return events, nil
}
