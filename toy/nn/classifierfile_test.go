package nn

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"difftoy/toy"
)

// tinyClassifierFiles returns the files of two small classifiers (a
// 4-step schedule, a few parameters; small for the reason tinyModelFiles
// gives), the seeds of FuzzReadClassifier.
func tinyClassifierFiles(f *testing.F) [][]byte {
	sched, err := toy.Linear(4, 0.1, 0.5)
	if err != nil {
		f.Fatal(err)
	}
	var files [][]byte
	for _, spec := range []Spec{
		{Dim: 2, Hidden: []int{3}, Act: SiLU, TimeFeatures: 2, Time: TimeStep, Classes: 2},
		{Dim: 2, Hidden: []int{2}, Act: ReLU, TimeFeatures: 2, Time: TimeLogSigma, Classes: 3},
	} {
		c, err := NewClassifier(spec, sched, rand.NewPCG(1, 1))
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			f.Fatal(err)
		}
		files = append(files, buf.Bytes())
	}
	return files
}

// FuzzReadClassifier feeds ReadClassifier arbitrary bytes whose last 4
// bytes are replaced by the CRC-32 of the rest (as FuzzReadModelCRC does
// for ReadModel), seeded with classifier files and a denoiser's file (the
// wrong kind). No input may panic; every error wraps ErrFormat; a
// classifier it accepts has at least 2 classes and finite parameters, and
// writes back to a file that reads to the same classifier.
func FuzzReadClassifier(f *testing.F) {
	for _, b := range tinyClassifierFiles(f) {
		f.Add(b)
	}
	f.Add(tinyModelFiles(f)[0])
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadClassifier(bytes.NewReader(withCRC(b)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if c.Spec.Classes < 2 || c.Net.Sizes[len(c.Net.Sizes)-1] != c.Spec.Classes {
			t.Fatalf("accepted a classifier of %d classes with layer sizes %v", c.Spec.Classes, c.Net.Sizes)
		}
		if err := checkFinite(c.Net.Params); err != nil {
			t.Fatalf("accepted: %v", err)
		}
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			t.Fatalf("WriteTo of an accepted classifier: %v", err)
		}
		l, err := ReadClassifier(&buf)
		if err != nil {
			t.Fatalf("reading back an accepted classifier: %v", err)
		}
		for i, v := range c.Net.Params {
			if math.Float64bits(l.Net.Params[i]) != math.Float64bits(v) {
				t.Fatalf("parameter %d: %v read back as %v", i, v, l.Net.Params[i])
			}
		}
	})
}
