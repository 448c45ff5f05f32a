// The helpers of the lessons' claims functions (each lesson's sits in its
// file, after its runner), and the conventions of their bounds. The bounds
// are the lesson's ("Claims checked by the tests"); Ref is the claim's
// number there. Where the bound is statistical:
//   - "in standard errors" numbers are deviations in Monte Carlo or binomial
//     standard errors; a bound of 3 (4 when the number is the largest of
//     about ten comparisons) fails a correct sampler with probability below
//     1 percent;
//   - energy ratios are the energy distance over its mean under a perfect
//     sampler (see EnergyCheck); a correct sampler stays below 3;
//   - "to rounding" is 1e-12 for quantities of order 1, 1e-9 for relative
//     errors of differences that lose about four digits.

package course

// cl starts a claim: lesson claim ref, the sentence, the name of the value,
// the value, how it compares with the bound.
func cl(ref int, text, name string, v float64, op Op, bound float64) Claim {
	return Claim{Ref: ref, Text: text, Name: name, Value: v, Op: op, Bound: bound}
}

func (c Claim) se(s float64) Claim     { c.SE = s; return c }
func (c Claim) hi(h float64) Claim     { c.Hi = h; return c }
func (c Claim) against(s string) Claim { c.Against = s; return c }
func (r *Result) has(name string) bool { _, ok := r.Number(name); return ok }
func (r *Result) claims(cs ...Claim)   { r.Claims = append(r.Claims, cs...) }
func energyName(what string) string    { return what + ": energy distance / noise level" }
func ratioClaim(ref int, text, what string, v float64) Claim {
	return cl(ref, text, energyName(what), v, Below, 3)
}

// trainedClaim: a trained network's samples are within twice the
// two-sample noise level of the data, where the exact denoiser with the
// same sampler is within it (below 3): the bar for "the network learnt the
// data" (a ring instead of eight clusters scores several times more).
// On a quick run (shorter training) the claim is indicative.
func trainedClaim(cfg Config, what string, ratio float64) Claim {
	c := cl(0, what+" samples the data: energy distance within twice its noise level.", energyName("trained"), ratio, AtMost, 2)
	c.Indicative = cfg.Quick
	return c
}
