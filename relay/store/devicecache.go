package store

import (
	"slices"
	"sync"
)

// maxCachedDeviceLists bounds the device-list cache: a person's list is a
// 26-byte id and a few uint32s, about 100 bytes with the map's overhead, so
// 100,000 people is about 10 MB. Past it the cache starts over: a miss costs
// one prefix scan, what every send cost before the cache.
const maxCachedDeviceLists = 100_000

// deviceCache holds each person's current device ids, so a send does not
// scan the directory twice. Every change to a person's devices goes through
// this store and invalidates the entry after its commit; gen makes a read
// that raced with such a change leave no stale entry behind.
type deviceCache struct {
	mu    sync.Mutex
	gen   uint64
	lists map[string][]uint32
}

// get returns a copy of person's cached ids and the generation to pass to
// put on a miss.
func (c *deviceCache) get(person string) ([]uint32, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids, ok := c.lists[person]
	return slices.Clone(ids), c.gen, ok
}

// put caches ids read from the directory, unless a change to any person's
// devices committed since gen was taken.
func (c *deviceCache) put(person string, ids []uint32, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.lists == nil || len(c.lists) >= maxCachedDeviceLists {
		c.lists = make(map[string][]uint32)
	}
	c.lists[person] = slices.Clone(ids)
}

// invalidate forgets person's list; call it after a change to the person's
// devices has committed (or failed: the entry then reloads).
func (c *deviceCache) invalidate(person string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.lists, person)
}
