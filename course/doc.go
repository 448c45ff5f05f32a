// Package course holds one function per lesson experiment of the difftoy
// course, so that each experiment exists once: the notebooks (notebooks/)
// call it with settings a student changes, the main job (cmd/difftoy) runs
// it with its defaults to write the offline book, and the tests assert the
// lesson's measurable claims on its numbers.
//
// Every lesson has a setup struct with a Default constructor (DefaultForward,
// DefaultTraining, ...) and a function that returns a *Result: named numbers
// with a one-line meaning, the lesson's claims checked on them, and viz
// charts. A Claim is one sentence of the lesson with its measured value
// (and standard error), its bound and whether it holds; claims on how well
// a network trained are Indicative on quick runs, whose training is
// shorter than the bounds assume. Lessons lists the lessons in the
// course's order with a Run function that uses the defaults.
//
// Each lesson lives in one file named for its topic (table below). The
// file holds, in this order: the setup struct and its Default constructor;
// the random streams of the experiment, as named constants (streamX = k
// draws from Config.rng(k); a sampling call takes the pair k, k+1 for x_T
// and its noise, and a family of pairs steps by 2, so no two draws that
// should be independent share a stream, which the course tests check on
// every lesson's run); the runner, which runs the experiment and
// ends with its charts and its claims; the claims function (the lesson's
// "Claims checked by the tests", checked on the run's numbers, with the
// reason for each bound); the helpers, named for what they compute; and
// the slider drawings at one setting (ForwardAt, IdealAt, ...). The
// lesson's charts are in charts_lessonNN.go. Checks of identities that a
// page does not show live in the tests, not in the runners.
//
//	01-forward-process           forward.go
//	02-ideal-denoiser            ideal.go
//	03-training                  training.go (reverse coefficients: coefficients.go, with lesson 4)
//	04-ancestral-sampling        ancestral.go
//	05-changing-schedule         reschedule.go
//	06-parametrisations          parametrisations.go
//	07-conditional               conditional.go
//	08-classifier-guidance       classifierguidance.go
//	09-classifier-free-guidance  cfg.go (the gap to the noised tilt: jensen.go)
//	07, 08, 09 share             guidancesetup.go (setup, conditional network, gamma sweep; class laws: classlaw.go)
//	10-deterministic-sampling    deterministic.go
//	11-langevin                  langevin.go
//	12-memorisation              memorisation.go
//	13-sde                       sde.go
//	14-flow-matching             flow.go (the velocity, Euler and preconditioning: flowmatch.go)
//
// The checks of a lesson's claims that are identities or small
// computations sit in the test file of the lesson's file (forward_test.go,
// ideal_test.go, ...), one subtest per claim where a test covers several,
// named by the claim's number in the lesson's "Claims checked by the
// tests"; course_test.go runs each lesson and asserts its claims.
//
// A setup's Dataset is a name of datasets.Names() (toy/datasets); a runner
// given another name returns an error listing the valid ones.
//
// Samplers are checked against the exact law with the energy distance
//
//	E = 2 E|X - Y| - E|X - X'| - E|Y - Y'|,
//
// reported in units of its mean between two independent samples of the
// target at the same sizes (EnergyCheck): a correct sampler scores about 1,
// and a ratio above 3 says the laws differ. Other numbers named "..._z" are
// deviations in Monte Carlo or binomial standard errors.
//
// Config.Quick shrinks sample sizes and most training runs for tests;
// Config.Seed fixes every random stream, so a seed gives the same numbers on
// any number of cores.
package course
