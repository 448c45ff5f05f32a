// Package sample draws from a diffusion model: the reverse process (DDPM,
// DDIM, the deterministic drift sampler), the probability-flow ODE (Euler,
// Heun), DDIM inversion, Langevin dynamics (plain, annealed, as corrector),
// and guidance (classifier, classifier-free, tempered).
//
// Every sampler takes a toy.Denoiser (Langevin a toy.Scorer), so the exact
// mixtures of package analytic and trained networks are interchangeable;
// the guidance wrappers are themselves Denoisers and Scorers.
//
// The reverse step (lessons/04-ancestral-sampling.md section 1) from level
// a_t down to a_s, with the coefficients of the (possibly strided) step from
// toy.Coefficients,
//
//	x_s = A x_t + B D(x_t) + C z,
//
// is one Form of the moves of Sampler (AncestralForm: DDPM). The other two
// keep a share Eta of the noise fresh, c = Eta C, and make up the rest
// either by reusing the noise eps^ the denoiser implies (DDIMForm,
// lessons/10-deterministic-sampling.md section 1),
//
//	x_s = sqrt(a_s) D + sqrt(1 - a_s - c^2) eps^ + c z,   eps^ = (x_t - sqrt(a_t) D) / sqrt(1 - a_t),
//
// or by the drift -(C^2 - c^2)/2 grad log q_t(x_t) (DriftForm,
// lessons/10-deterministic-sampling.md section 3). So DDPM is the ancestral
// form, DDIM the DDIM form at Eta = 0, and the deterministic sampler of
// lessons/10-deterministic-sampling.md section 3 the drift form at Eta = 0;
// with the posterior variance all three agree at Eta = 1. A
// Plan picks the steps t_0 > ... > t_L visited (Strided: uniform in t;
// Spaced: t ~ (k/n)^power; Karras: sigma^(1/rho) uniform between sigma_T and
// sigma_1, as in Karras et al. 2022; the last two put more moves at low
// noise); strided plans recompute A, B, C from the two levels of each move.
//
// Langevin dynamics (lessons/11-langevin.md section 1) moves
//
//	x <- x + (h/2) grad log p(x) + sqrt(h) z;
//
// annealed Langevin runs it on each q_t of a plan with h = Ratio (1 - a_t).
//
// Guidance (lessons/08-classifier-guidance.md section 3,
// lessons/09-classifier-free-guidance.md sections 1, 2 and 4): classifier
// guidance uses grad log q_t(x) + (1 + gamma) grad log q_t(y | x) from any
// ClassifierGradient; classifier-free guidance D(x|y) + gamma (D(x|y) -
// D(x|Empty)); the tempered score a grad log q_t(x). These wrappers are
// the only implementation of the three fields: on an exact labelled
// mixture (with ExactClassifier, which calls analytic.ClassifierGrad) they
// give its exact guided fields.
//
// Samplers start from x_T ~ N(0, I): toy.StandardNormal draws it.
//
// Trajectories: every sampler hands each state (all particles) to its
// Record field, a Recorder; Trajectory keeps copies of chosen states for a
// chart. There is one code path: with Record nil nothing is kept.
//
// Randomness is passed in as a rand.Source. Noise is drawn in fixed chunks
// of particles, each from its own stream seeded from the source before the
// parallel loop, so a seed gives the same samples on any number of cores.
package sample
