package course

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// sharedStreams lists, per lesson, the streams that several call sites
// draw from on purpose because they mean the same draws.
var sharedStreams = map[string]map[uint64]string{
	"04-ancestral-sampling":       {streamAncestralData: "the dataset lesson 3's network trained on (streamTrainingData): Ancestral reads its law"},
	"07-conditional":              {streamLabelledData: "the labelled dataset, loaded by the runner and by the network's training"},
	"08-classifier-guidance":      {streamLabelledData: "the labelled dataset, loaded by the runner, the classifier's training, the sweeps and the claims"},
	"09-classifier-free-guidance": {streamLabelledData: "the labelled dataset, loaded by the runner, the network's training and the sweeps"},
	"12-memorisation":             {streamTrainingSet: "the training set: the sweep's smaller sets are its first points"},
}

// sameDraws lists the functions whose callers share draws on purpose: the
// sites of a stream may differ above a call in one of these functions
// (in its callers) but not below it.
var sameDraws = map[string]string{
	"difftoy/course.sweep":               "the exact and the trained sweep sample each gamma from the same x_T and noise, so that they compare paired",
	"difftoy/course.(*samplePanels).add": "every sample panel of lesson 5 starts from the same x_T and noise",
	"difftoy/course.classVariances":      "lesson 7 samples each class with the variances β̃ and β from the same x_T and noise, so that they compare paired",
}

// checkStreams fails the test for each stream of the run that two call
// sites draw from, unless sharedStreams or sameDraws says they mean the
// same draws.
func checkStreams(t *testing.T, id string, l *streamLog) {
	t.Helper()
	if len(l.sites) == 0 {
		t.Fatalf("%s: the run recorded no random stream", id)
	}
	for _, k := range l.overlaps(id) {
		var where []string
		for s := range l.sites[k] {
			where = append(where, s.String())
		}
		slices.Sort(where)
		t.Errorf("%s: stream %d is drawn from by %d call sites that should be independent:\n\t%s", id, k, len(where), strings.Join(where, "\n\t"))
	}
}

// overlaps returns the streams that two call sites of the run draw from
// although they should be independent, in increasing order.
func (l *streamLog) overlaps(id string) []uint64 {
	var ks []uint64
	for k, sites := range l.sites {
		if len(sites) > 1 && sharedStreams[id][k] == "" && !sameDrawBelow(sites) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}

// TestStreamLogFindsOverlaps: a helper that draws x_T from stream s and
// the noise from s+1, called for s = 0 and s = 1, overlaps on stream 1
// (the flaw the lessons' runs are checked for); called twice with the same
// s from one place it reuses its draws, which is not an overlap.
func TestStreamLogFindsOverlaps(t *testing.T) {
	pair := func(cfg Config, s uint64) { cfg.rng(s); cfg.rng(s + 1) }
	for _, c := range []struct {
		name string
		s    []uint64
		want []uint64
	}{
		{"neighbouring pairs", []uint64{0, 1}, []uint64{1}},
		{"spaced pairs", []uint64{0, 2}, nil},
		{"one pair twice", []uint64{4, 4}, nil},
	} {
		l := &streamLog{}
		cfg := Config{Seed: 1, streams: l}
		for _, s := range c.s {
			pair(cfg, s)
		}
		if got := l.overlaps("test"); !slices.Equal(got, c.want) {
			t.Errorf("%s: overlaps %v, want %v", c.name, got, c.want)
		}
	}
}

// sameDrawBelow reports whether the sites agree from the call of
// Config.rng up to a call inside a function of sameDraws: they are that
// function's draws, made for several callers.
func sameDrawBelow(sites map[streamSite]bool) bool {
	var first streamSite
	for s := range sites {
		first = s
		break
	}
	for j := range first {
		if first[j] == 0 {
			return false
		}
		for s := range sites {
			if s[j] != first[j] {
				return false
			}
		}
		f, _ := runtime.CallersFrames([]uintptr{first[j]}).Next()
		if sameDraws[f.Function] != "" {
			return true
		}
	}
	return false
}

// String names the site's frames, innermost first.
func (s streamSite) String() string {
	var pcs []uintptr
	for _, pc := range s {
		if pc != 0 {
			pcs = append(pcs, pc)
		}
	}
	fr := runtime.CallersFrames(pcs)
	var b []string
	for {
		f, more := fr.Next()
		file := f.File[strings.LastIndex(f.File, "/")+1:]
		b = append(b, fmt.Sprintf("%s:%d", file, f.Line))
		if !more {
			break
		}
	}
	return strings.Join(b, " < ")
}
