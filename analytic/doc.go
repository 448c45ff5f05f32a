// Package analytic computes the exact quantities of diffusion for data
// distributions known in closed form: weighted point sets (DeltaMixture) and
// Gaussian mixtures (GaussianMixture), optionally labelled.
//
// With x_t = sqrt(alpha) x_0 + sqrt(1-alpha) eps, eps ~ N(0, I), and
// q_0 = sum_i w_i delta(x - x^(i)), the noised density is
//
//	q_t(x) = sum_i w_i N(x | sqrt(alpha) x^(i), (1-alpha) I)
//
// and everything follows from the component posteriors
//
//	pi_i(x) = softmax_i( log w_i - ||x - sqrt(alpha) x^(i)||^2 / (2(1-alpha)) ):
//
//	D*(x)           = E[x_0 | x_t = x] = sum_i pi_i(x) x^(i)    (the ideal denoiser)
//	grad log q_t(x) = (sqrt(alpha) D*(x) - x) / (1 - alpha)       (Tweedie)
//	eps*(x)         = (x - sqrt(alpha) D*(x)) / sqrt(1 - alpha) = -sqrt(1-alpha) grad log q_t(x)
//
// For q_0 = sum_i w_i N(m_i, S_i) the components stay Gaussian,
// N(sqrt(alpha) m_i, C_i) with C_i = alpha S_i + (1-alpha) I, and
//
//	D*(x)           = sum_i pi_i(x) [ m_i + sqrt(alpha) S_i C_i^{-1} (x - sqrt(alpha) m_i) ],
//	grad log q_t(x) = - sum_i pi_i(x) C_i^{-1} (x - sqrt(alpha) m_i),
//
// with pi_i proportional to w_i N(x | sqrt(alpha) m_i, C_i). Everything is
// defined at alpha = 1 for Gaussian mixtures; for point sets alpha = 1 gives
// the nearest-point limit (see DeltaMixture).
//
// A delta mixture is the limit S_i = 0.
//
// With labels, q_t(y | x) = sum_{i in class y} pi_i(x), the conditional
// quantities restrict the softmax to the components of class y, and
// ClassifierGrad is the exact classifier gradient grad log q_t(y | x) =
// grad log q_t(x | y) - grad log q_t(x). The guidance fields built on it
// live in toy/sample (one implementation for exact and learned models).
//
// Numerics: the softmax is computed with log-sum-exp (the largest term is
// exactly 1), so results stay finite and accurate for every alpha in
// (0, 1] and every finite query point. Far from the data (beyond four
// radii of the points or means from their centre) the logits are taken
// relative to that centre, so that distant points are still told apart;
// where even those overflow (|x| of order 1e290 and beyond; for Gaussians
// wherever the quadratic forms overflow) the posterior is its exact limit,
// all mass on the component(s) that dominate as x moves out (far.go,
// gaussian_far.go). Points and means are bounded by |coordinate| <= 1e100
// (constructors reject larger ones); a query with a NaN or infinite
// coordinate gives NaN. Terms below e^-708 (less
// than 2^-1021 of the largest) count as 0. The exponential is a
// table-driven one (exp.go) within 2 ulp of e^x. Points in the plane
// (d = 2) take specialised loops for both mixture types.
//
// Speed: the softmax passes (logits and their maximum, exponentials and
// weighted sums) run in vector kernels (kernel.go): amd64 assembly with
// AVX-512 or AVX2 + FMA, chosen at start-up (Kernels names the choice), and
// pure Go elsewhere or under the purego build tag. The assembly repeats the
// Go kernels operation for operation, with sums kept in 8 lanes in a fixed
// order, so every build and processor gives the same bits.
//
// Conventions: points are row-major []float64 (n = len(x)/d); methods are
// destination-first and allocate dst when nil; batches run in parallel over
// points with internal/par, each point on its own, so results do not depend
// on the number of cores. A wrong length, alpha outside (0, 1] or a label out
// of range (labels are in {toy.Empty, 0, ..., C-1}) panics, through the
// contract's checks (toy.CheckPoints, toy.CheckAlpha, toy.CheckLabels,
// toy.CheckDst); invalid constructor input is an error naming the
// component. *DeltaMixture and *GaussianMixture satisfy toy.Denoiser and
// toy.Scorer (checked at compile time).
package analytic
