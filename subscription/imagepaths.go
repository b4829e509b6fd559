package subscription

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/baseflow/baseflow/internal/jsonerr"
)

// ImagePaths is the stale-image result for one subscription, in the exact JSON shape
// ImageBuilder's getStaleImages writes and queueBuild reads:
//
//	[{"SubscriptionId":"dotnet/dotnet-docker/main/manifest.json","ImagePaths":["src/a","src/b"]}]
type ImagePaths struct {
	SubscriptionID string   `json:"SubscriptionId"`
	ImagePaths     []string `json:"ImagePaths"`
}

// MarshalImagePaths encodes results compactly, dropping entries with no paths; no results
// encode as []. HTML characters are not escaped.
func MarshalImagePaths(results []ImagePaths) ([]byte, error) {
	kept := make([]ImagePaths, 0, len(results))
	for _, r := range results {
		if len(r.ImagePaths) > 0 {
			kept = append(kept, r)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(kept); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ParseImagePaths decodes one stale-path JSON value; name is used in errors.
func ParseImagePaths(name string, data []byte) ([]ImagePaths, error) {
	var out []ImagePaths
	data = jsonerr.TrimBOM(data)
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, jsonerr.Wrap(name, data, err)
	}
	for i, r := range out {
		if r.SubscriptionID == "" {
			return nil, fmt.Errorf("%s: [%d].SubscriptionId: required", name, i)
		}
	}
	return out, nil
}
