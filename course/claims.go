// Claims: what a lesson says its experiment shows, checked on the numbers
// of the run itself.

package course

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Op is how a claim's measured value is compared with its bound.
type Op int

const (
	Below   Op = iota // Value < Bound
	AtMost            // Value <= Bound
	Above             // Value > Bound
	AtLeast           // Value >= Bound
	Between           // Bound < Value < Hi
	Near              // |Value - Bound| <= Hi
)

// Claim is one statement of a lesson checked on the run: a measured value
// against the bound the lesson states. A claim whose bound is itself
// measured (another sampler's error, say) names it in Against.
type Claim struct {
	Text    string  // the claim in one plain sentence
	Name    string  // short name of the measured value
	Value   float64 // the measured value
	SE      float64 // its Monte Carlo standard error; 0 when it is not a Monte Carlo mean (or is already in standard errors)
	Op      Op
	Bound   float64 // the bound (Between: the lower end; Near: the centre)
	Hi      float64 // Between: the upper end; Near: the half-width
	Against string  // what the bound is when it is measured in the same run ("" for a stated bound)
	Ref     int     // its number in the lesson's "Claims checked by the tests" list (0: none)
	// Indicative marks a claim about how well a network trained, made on a
	// quick run: its bound is for the default training, so the claim is
	// shown but not counted (Held, the main job's exit status).
	Indicative bool
}

// Holds reports whether the measured value satisfies the bound. A NaN
// value never holds.
func (c Claim) Holds() bool {
	v := c.Value
	switch c.Op {
	case Below:
		return v < c.Bound
	case AtMost:
		return v <= c.Bound
	case Above:
		return v > c.Bound
	case AtLeast:
		return v >= c.Bound
	case Between:
		return v > c.Bound && v < c.Hi
	case Near:
		return math.Abs(v-c.Bound) <= c.Hi
	}
	panic(fmt.Sprintf("course.Claim.Holds: unknown Op %d", c.Op))
}

// Measured formats the value, with its standard error when it has one.
func (c Claim) Measured() string {
	if c.SE > 0 {
		return fmt.Sprintf("%s ± %s", num4(c.Value), num2(c.SE))
	}
	return num4(c.Value)
}

// BoundText formats the bound: "< 3", "in (0.07, 0.09)", "260 ± 5", with
// what it is when it is measured.
func (c Claim) BoundText() string {
	var s string
	switch c.Op {
	case Below:
		s = "< " + num4(c.Bound)
	case AtMost:
		s = "≤ " + num4(c.Bound)
	case Above:
		s = "> " + num4(c.Bound)
	case AtLeast:
		s = "≥ " + num4(c.Bound)
	case Between:
		s = fmt.Sprintf("in (%s, %s)", num4(c.Bound), num4(c.Hi))
	case Near:
		s = fmt.Sprintf("%s ± %s", num4(c.Bound), num4(c.Hi))
	default:
		panic(fmt.Sprintf("course.Claim.BoundText: unknown Op %d", c.Op))
	}
	if c.Against != "" {
		s += " (" + c.Against + ")"
	}
	return s
}

// Verdict is "holds" or "FAILS", with "indicative" for an indicative claim.
func (c Claim) Verdict() string {
	v := "FAILS"
	if c.Holds() {
		v = "holds"
	}
	if c.Indicative {
		v += ", indicative"
	}
	return v
}

// num4 prints four significant digits, num2 two (standard errors), with
// an exponent below 1e-3 and from 1e6 on.
func num4(v float64) string { return num(v, 4) }
func num2(v float64) string { return num(v, 2) }

func num(v float64, digits int) string {
	if a := math.Abs(v); a != 0 && (a < 1e-3 || a >= 1e6) {
		m, e, _ := strings.Cut(strconv.FormatFloat(v, 'e', digits-1, 64), "e")
		if strings.Contains(m, ".") {
			m = strings.TrimRight(strings.TrimRight(m, "0"), ".")
		}
		return trimExp(m + "e" + e)
	}
	return trimExp(strconv.FormatFloat(v, 'g', digits, 64))
}

// trimExp shortens Go's "1e-05" to "1e-5".
func trimExp(s string) string {
	for _, p := range []string{"e-0", "e+0"} {
		if i := strings.Index(s, p); i >= 0 {
			s = s[:i+2] + s[i+3:]
		}
	}
	return strings.Replace(s, "e+", "e", 1)
}

// value returns the named number of the result; a missing name is a
// mistake in this package and panics.
func (r *Result) value(name string) float64 {
	v, ok := r.Number(name)
	if !ok {
		panic(fmt.Sprintf("course: no number %q in the result", name))
	}
	return v
}

// Held returns how many of the result's counted claims hold, and how many
// there are (indicative claims are not counted).
func (r *Result) Held() (held, total int) {
	for _, c := range r.Claims {
		if c.Indicative {
			continue
		}
		total++
		if c.Holds() {
			held++
		}
	}
	return held, total
}

// ClaimsTable formats the claims as a Markdown table: the claim, the
// measured value, the bound and the verdict.
func (r *Result) ClaimsTable() string {
	var b strings.Builder
	b.WriteString("| claim | measured | bound | verdict |\n| --- | --- | --- | --- |\n")
	for _, c := range r.Claims {
		fmt.Fprintf(&b, "| %s | %s: %s | %s | %s |\n", cell(c.Text), cell(c.Name), c.Measured(), cell(c.BoundText()), c.Verdict())
	}
	return b.String()
}

// cell escapes a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
