// The disk cache of trained noisy classifiers: like a denoiser's Job, a
// classifier's training run is a pure function of its ClassifierJob, so it
// is stored in the same Cache folder under a hash of the job.

package nn

import (
	"context"
	"math/rand/v2"

	"difftoy/toy"
)

// ClassifierJob is everything that determines a trained noisy classifier:
// a Classifier of Spec on schedule Sched, initialised from PCG(Init[0],
// Init[1]) and trained by TrainClassifier on Data (points and labels)
// with Config from PCG(Seed[0], Seed[1]).
type ClassifierJob struct {
	Spec   Spec
	Sched  *toy.Schedule
	Data   Data // Data.Exact is used for the evaluations only; it is not part of the key
	Config Config
	Init   [2]uint64
	Seed   [2]uint64
}

// classifierKeyHeader is the canonical encoding of a ClassifierJob's
// settings: a denoiser's (keyHeader, flattened into the same JSON object)
// with Kind, which keeps its keys apart from every denoiser Job's, and the
// Config fields TrainClassifier ignores (Weight, LabelDropout) left empty.
type classifierKeyHeader struct {
	Kind string `json:"kind"`
	keyHeader
}

// Key returns the SHA-256 (hex) of the job's canonical encoding: the
// settings above as JSON, then the points' float64 bits and the labels,
// little-endian (as Job.Key). Progress settings do not enter it.
func (j *ClassifierJob) Key() string {
	h := classifierKeyHeader{Kind: "classifier", keyHeader: newKeyHeader(j.Spec, j.Sched, j.Config, j.Data, j.Init, j.Seed)}
	h.Weight, h.LabelDropout = "", 0
	return hashKey(h, j.Data)
}

// Run trains the job's classifier.
func (j *ClassifierJob) Run(ctx context.Context) (*Classifier, *History, error) {
	c, err := NewClassifier(j.Spec, j.Sched, rand.NewPCG(j.Init[0], j.Init[1]))
	if err != nil {
		return nil, nil, err
	}
	h, err := TrainClassifier(ctx, c, j.Data, j.Config, rand.NewPCG(j.Seed[0], j.Seed[1]))
	if err != nil {
		return nil, nil, err
	}
	return c, h, nil
}

// TrainClassifier returns the job's trained classifier and history, from
// the cache or by running the job, exactly as Train does for a denoiser:
// the entry is KEY.dtnn (a classifier file of save.go) and KEY.hist.json,
// and an entry that cannot be read, is corrupt or is not the job's is
// reported through c.Log and replaced.
func (c *Cache) TrainClassifier(ctx context.Context, j *ClassifierJob) (clf *Classifier, h *History, cached bool, err error) {
	return cachedRun(ctx, c, j.Key, j.Run,
		func(base string) (*Classifier, *History, error) { return c.loadClassifier(base, j) },
		func(clf *Classifier) func(string) error { return clf.Save })
}

// loadClassifier reads the entry at base and checks that it is the job's.
func (c *Cache) loadClassifier(base string, j *ClassifierJob) (*Classifier, *History, error) {
	return loadEntry(base, j.Config.Steps, j.Spec, j.Sched, "classifier", func(path string) (*Classifier, Spec, *toy.Schedule, error) {
		clf, err := LoadClassifier(path)
		if err != nil {
			return nil, Spec{}, nil, err
		}
		return clf, clf.Spec, clf.Sched, nil
	})
}
