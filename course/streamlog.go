// The record of the random streams a run draws from, for the test that
// independent draws never share a stream.

package course

import (
	"runtime"
	"sync"
)

// streamLog records, for each stream k a run asks Config.rng for, the call
// sites that asked for it: the call of Config.rng and the calls that led
// to it (streamSiteDepth frames), so that one helper called from two places
// counts as two sites. Two sites on one stream draw the same numbers: that
// is right only where they mean the same draws (the same dataset loaded
// twice), and a defect anywhere else.
type streamLog struct {
	mu    sync.Mutex
	sites map[uint64]map[streamSite]bool
}

// streamSiteDepth is how many frames name a call site: enough to tell apart
// the callers of the sampling helpers (sampleClass, DDPMSample) and of the
// loaders they call.
const streamSiteDepth = 4

// streamSite is the program counters of a call site's frames.
type streamSite [streamSiteDepth]uintptr

// record notes that the caller of Config.rng asked for stream k.
func (l *streamLog) record(k uint64) {
	var pc streamSite
	runtime.Callers(3, pc[:]) // 0 Callers, 1 record, 2 rng, 3 its caller
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sites == nil {
		l.sites = map[uint64]map[streamSite]bool{}
	}
	if l.sites[k] == nil {
		l.sites[k] = map[streamSite]bool{}
	}
	l.sites[k][pc] = true
}
