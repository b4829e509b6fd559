package registry

// Waiters returns how many callers wait for the Digest lookup of the normalized ref.
func (c *Cache) Waiters(ref string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[flightKey{ref: ref}]; ok {
		return f.waiters
	}
	return 0
}
