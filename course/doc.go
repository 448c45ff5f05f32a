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
