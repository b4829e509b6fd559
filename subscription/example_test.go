package subscription_test

import (
	"fmt"

	"github.com/baseflow/baseflow/subscription"
)

func ExampleParse() {
	subs, err := subscription.Parse("subscriptions.json", []byte(`[{
	  "manifest": {"owner": "contoso", "repo": "images", "branch": "main", "path": "manifest.json"},
	  "imageInfo": {"owner": "contoso", "repo": "versions", "branch": "main", "path": "image-info.json"},
	  "pipelineTrigger": {"id": 42, "pathVariable": "imageBuilder.pathArgs"},
	  "osType": "linux"}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range subs {
		fmt.Println(s.ID(), s.OSType, s.PipelineTrigger.Backend())
	}
	data, _ := subscription.MarshalImagePaths([]subscription.ImagePaths{{SubscriptionID: subs[0].ID(), ImagePaths: []string{"src/runtime"}}})
	fmt.Println(string(data))
	// Output:
	// contoso/images/main/manifest.json linux azure-devops
	// [{"SubscriptionId":"contoso/images/main/manifest.json","ImagePaths":["src/runtime"]}]
}
