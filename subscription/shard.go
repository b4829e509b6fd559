package subscription

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard returns the subscriptions of shard i of n (1 ≤ i ≤ n), in their original order. A
// subscription belongs to shard 1 + FNV-1a(id) mod n, so N jobs of a CI matrix, each given
// its own --shard I/N, check every subscription exactly once, and a subscription stays in the
// same shard from run to run as long as N does not change.
func Shard(subs []Subscription, i, n int) []Subscription {
	var out []Subscription
	for _, s := range subs {
		if ShardOf(s.ID(), n) == i {
			out = append(out, s)
		}
	}
	return out
}

// ShardOf returns the 1-based shard of n that a subscription id belongs to.
func ShardOf(id string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64()%uint64(n)) + 1
}

// ParseShard parses "I/N" with 1 ≤ I ≤ N.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("shard %q: want I/N with 1 ≤ I ≤ N, e.g. 2/4", s)
	}
	return i, n, nil
}
