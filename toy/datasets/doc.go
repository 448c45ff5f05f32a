// Package datasets holds the named 2-D toy datasets of the course, each
// with its exact law as an analytic.Mixture, so that every result on them
// can be checked against the ideal denoiser and exact samples: lesson 2's
// three delta points, Gaussian mixtures (eight Gaussians, a ring, labelled
// two- and three-class mixtures) and finite training sets (moons, swiss
// roll, checkerboard) whose exact law is the delta mixture of their points,
//
//	q_0 = (1/n) sum_i delta(x - x_i),
//
// which is what an ideal denoiser trained on them reproduces
// (lessons/12-memorisation.md section 1).
//
// Load(name, n, src) draws a dataset; Names lists the valid names. An
// unknown name or a size outside 1..MaxPoints is an error wrapping
// ErrDataset that names the problem; randomness is passed in as a
// math/rand/v2 Source.
package datasets
