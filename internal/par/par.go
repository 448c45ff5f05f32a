// Package par runs loops over index ranges on the available cores.
//
// The split of [0, n) into chunks depends only on n and grain, never on
// GOMAXPROCS, so a computation whose chunks are independent (and whose
// randomness, if any, is drawn per chunk from a seed fixed before the loop)
// gives the same result on any number of cores.
package par

import (
	"runtime"
	"sync"
)

// For calls f(lo, hi) for consecutive chunks of at most grain indices that
// together cover [0, n). Chunks run concurrently on up to GOMAXPROCS
// goroutines; with one chunk, or GOMAXPROCS = 1, f runs on the caller's
// goroutine. For returns when every chunk is done. grain < 1 is treated as 1.
func For(n, grain int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	workers := runtime.GOMAXPROCS(0)
	if workers > chunks {
		workers = chunks
	}
	if workers <= 1 {
		for lo := 0; lo < n; lo += grain {
			f(lo, min(lo+grain, n))
		}
		return
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
	)
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				c := next
				next++
				mu.Unlock()
				if c >= chunks {
					return
				}
				lo := c * grain
				f(lo, min(lo+grain, n))
			}
		}()
	}
	wg.Wait()
}

// Chunks returns the number of chunks For(n, grain, ...) uses, so that a
// caller can prepare per-chunk state (such as one random stream per chunk).
func Chunks(n, grain int) int {
	if n <= 0 {
		return 0
	}
	if grain < 1 {
		grain = 1
	}
	return (n + grain - 1) / grain
}
