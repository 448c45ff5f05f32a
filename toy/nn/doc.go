// Package nn trains small denoisers and noisy classifiers for the 2-D toys:
// an MLP with forward and backward written out, time and class inputs, four
// parametrisations, Adam/AdamW with EMA, a seeded training loop that reports
// the error against the exact denoiser, and a versioned file format.
//
// The lecture's training objective (MATH.md section 2) is
//
//	L = E_{x_0, t, eps} w_t || D_t(x_t) - x_0 ||^2,   x_t = sqrt(alpha_t) x_0 + sqrt(1 - alpha_t) eps,
//
// minimised by D*_t(x) = E[x_0 | x_t = x]. Whether the network predicts
// x_0, eps, the (scaled) score or v, its output F is read as
// D = a(alpha) x + b(alpha) F, so every trained Model satisfies toy.Denoiser
// and a sampler cannot tell it from an exact mixture (MATH.md section 5).
//
// Computation runs in float32 by default (float64 master weights for the
// optimiser) on fixed chunks of the batch in parallel; gradients are summed
// over chunks in a fixed order, so a seed gives the same model on any number
// of cores.
package nn
