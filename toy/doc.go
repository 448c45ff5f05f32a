// Package toy holds the diffusion process on small point clouds: noise
// schedules, the forward process, the reverse-step coefficients, the
// schedule-change wrapper and the Denoiser/Scorer contract every sampler
// uses. The named 2-D datasets with their exact laws are in toy/datasets.
//
// Forward process (lessons/01-forward-process.md sections 1 to 3), t = 1..T:
//
//	q(x_t | x_{t-1}) = N(x_t | sqrt(1 - beta_t) x_{t-1}, beta_t I)
//	alpha_t = prod_{s<=t} (1 - beta_s),   alpha_0 = 1
//	x_t = sqrt(alpha_t) x_0 + sqrt(1 - alpha_t) eps,   eps ~ N(0, I)
//	sigma_t = sqrt((1 - alpha_t) / alpha_t),   SNR_t = 1 / sigma_t^2
//
// Reverse process (lessons/03-training.md sections 3 and 4): the posterior
// q(x_{t-1} | x_t, x_0) is N(A_t x_t + B_t x_0, C_t^2 I) with
//
//	A_t   = sqrt(1 - beta_t) (1 - alpha_{t-1}) / (1 - alpha_t)
//	B_t   = sqrt(alpha_{t-1}) beta_t / (1 - alpha_t)
//	C_t^2 = beta_t (1 - alpha_{t-1}) / (1 - alpha_t)   (or beta_t)
//
// and a model p(x_{t-1} | x_t) = N(A_t x_t + B_t D_t(x_t), C_t^2 I) pays
// w_t ||D_t(x_t) - x_0||^2 with w_t = B_t^2 / (2 C_t^2) in the ELBO.
// Coefficients and ELBOWeight take two levels, so the same formulas serve
// strided steps t -> s < t with beta replaced by 1 - alpha_t / alpha_s.
//
// Every reverse chain starts from x_T ~ N(0, I), the law the forward
// process reaches (lessons/01-forward-process.md section 4): StandardNormal
// draws it.
//
// Changing schedules (lessons/05-changing-schedule.md): x_t / sqrt(alpha_t) =
// x_0 + sigma_t eps, so a denoiser depends on t only through sigma_t. A
// Schedule has a continuous-step view (AlphaAt, interpolated in log sigma)
// and its inverse (StepForSigma, StepForAlpha); Reschedule and
// RescheduleSteps use them to let a denoiser of one schedule serve another.
//
// Conventions (see ARCHITECTURE.md): batches are row-major []float64 of n
// points of Dim() coordinates, numeric calls are destination-first, wrong
// lengths and levels outside (0, 1] panic with "toy.Func: ..." messages,
// user input (names, betas) returns errors, and randomness is passed in as
// a math/rand/v2 Source. The panics on a batch have one home, check.go
// (CheckBatch and its parts CheckPoints, CheckAlpha, CheckLabels,
// CheckDst), which analytic and toy/sample call too. toy imports no other
// package of the module: it is the leaf the others build on.
package toy
