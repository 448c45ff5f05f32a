// Package explorer computes what the Explorer page shows: for a data set
// (a lesson's data set or points the reader drew), at a step t of the DDPM
// schedule (alpha = alpha_t),
//
//	the noised density      log q_t(x) = log sum_i w_i N(x | sqrt(alpha) mu_i, (1 - alpha + alpha S_i) I)
//	the denoiser field      D*(x) - x,   D*(x) = E[x_0 | x_t = x]
//	the posterior weights   pi_i(x) = q(component i | x_t = x)
//
// on a grid over the square [-View, View]^2, and, with a class y and a scale
// gamma, the guided versions: the tilted density
//
//	log q_t(x) + (1 + gamma) log q_t(y | x)
//
// (classifier guidance and classifier-free guidance give the same tilted
// density and the same field when the fields are exact; the page computes
// each through its own wrapper of package sample). Samples come from the
// samplers of package sample run on the exact denoiser, and are judged by the
// energy distance to fresh draws of the data law beside the noise level of
// that statistic. A small network (package nn, the course's recipe) can be
// trained on the points and sampled beside the exact denoiser.
//
// The same code runs natively and, compiled with GOOS=js GOARCH=wasm
// (internal/explorer/wasm), in the page; the page's browser test compares
// the two. Every input that comes from the reader is checked here and
// refused with an error in plain words.
package explorer
