// Package metrics compares sample sets with each other and with exact
// densities: the numbers behind every "the sampler reproduces the data"
// claim of the course.
//
// Energy distance (Székely and Rizzo) between the laws of X and Y in R^d,
//
//	E(X, Y) = 2 E|X - Y| - E|X - X'| - E|Y - Y'|,
//
// is zero exactly when the laws agree. Energy estimates it by the
// V-statistic (all pairs, including i = j), which is never negative.
//
// Sliced Wasserstein-1 averages the one-dimensional W1 distance of the
// projections on random unit directions theta:
//
//	SW1(X, Y) = E_theta W1(<theta, X>, <theta, Y>),
//	W1(a, b)  = int_0^1 |F_a^{-1}(u) - F_b^{-1}(u)| du.
//
// Neither number means much alone: compare it with the same metric between
// two independent samples of the true law of equal size (TwoSampleNoise),
// the level a perfect sampler reaches.
//
// MeanLogLik averages log q_0(x) under an exact density; Nearest and
// WithinRadius measure memorisation (distance of each sample to its nearest
// training point); ClassAccuracy and MeanClassPosterior score labelled
// samples with an exact classifier q_0(y | x).
//
// FlowLogLik is the exact log-likelihood of a deterministic sampler x_0 =
// F(x_T) = F_K o ... o F_1 (x_T) by the change of variables
// (lessons/10-deterministic-sampling.md section 5):
//
//	log p(x_0) = log p(x_T) - sum_k log |det dF_k / dx (x_{k-1})|,
//
// with each d x d step Jacobian taken by central differences.
package metrics
