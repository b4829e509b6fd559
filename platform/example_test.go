package platform_test

import (
	"fmt"

	"github.com/baseflow/baseflow/platform"
)

func ExampleBestMatch() {
	// The entries of a multi-arch index, as a registry lists them.
	index := []platform.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
	}
	for _, s := range []string{"linux/arm64", "linux/arm", "windows/amd64"} {
		want, _ := platform.Parse(s)
		fmt.Println(s, "→", platform.BestMatch(index, want))
	}
	// Output:
	// linux/arm64 → 2
	// linux/arm → 1
	// windows/amd64 → -1
}
