package sample_test

import (
	"difftoy/toy/metrics"
	"difftoy/toy/nn"
	"difftoy/toy/sample"
)

// A deterministic sampler is a step map for the exact likelihood, and the
// trained noisy classifier is a source of classifier guidance.
var (
	_ metrics.StepMap           = (*sample.Map)(nil)
	_ sample.ClassifierGradient = (*nn.Classifier)(nil)
)
