// The claims table of a lesson's page.

package book

import (
	"bytes"
	"html/template"
	"strconv"

	"difftoy/course"
)

var claimsTmpl = template.Must(template.New("claims").Parse(`{{if .Claims}}<h3 id="claims">Claims checked on this run: {{.Held}} of {{.Counted}} hold</h3>
<table class="difftoy-claims">
<tr><th>#</th><th>claim</th><th>measured</th><th>bound</th><th>verdict</th></tr>
{{range .Claims}}<tr{{if not .Holds}}{{if .Indicative}} class="indicative"{{else}} class="fails"{{end}}{{end}}><td>{{if .Ref}}{{.Ref}}{{end}}</td><td>{{.Text}}</td><td>{{.Name}}: <b>{{.Measured}}</b></td><td class="bound">{{.BoundText}}</td><td>{{if .Holds}}✓ holds{{else}}✗ FAILS{{end}}{{if .Indicative}} (indicative){{end}}</td></tr>
{{end}}</table>
<p class="difftoy-claims-note"># is the claim's number in the lesson's list "Claims checked by the tests"; a value ± its Monte Carlo standard error; an energy distance is given in units of its noise level (what a perfect sampler scores on average).{{if .Indicative}} {{.Indicative}} claims are indicative: on a quick run a claim on how well a network trained is shown but not counted, as its bound is for the default training.{{end}}</p>
{{end}}{{if .Numbers}}<details{{if not .Claims}} open{{end}}><summary>All {{len .Numbers}} numbers of the run</summary>
<table class="difftoy-numbers">
<tr><th>quantity</th><th>value</th><th>meaning</th></tr>
{{range .Numbers}}<tr><td><code>{{.Name}}</code></td><td>{{.Value}}</td><td>{{.Note}}</td></tr>
{{end}}</table>
</details>
{{end}}<style>
.difftoy-claims tr.fails td { background: #fde8e8; }
.difftoy-claims tr.indicative td { background: #fdf6e0; }
.difftoy-claims td:last-child { white-space: nowrap; }
.difftoy-claims td.bound { white-space: nowrap; }
.difftoy-claims-note { font-size: 13px; color: #555; }
details summary { cursor: pointer; margin: 8px 0; }
</style>
`))

// ClaimsHTML renders a run's claims as a table (the claim, the measured
// value with its standard error, the bound, the verdict) above all its
// numbers, folded in a <details> element.
func ClaimsHTML(res *course.Result) template.HTML {
	type number struct{ Name, Value, Note string }
	data := struct {
		Claims                    []course.Claim
		Held, Counted, Indicative int
		Numbers                   []number
	}{Claims: res.Claims}
	data.Held, data.Counted = res.Held()
	data.Indicative = len(res.Claims) - data.Counted
	for _, n := range res.Numbers {
		data.Numbers = append(data.Numbers, number{n.Name, strconv.FormatFloat(n.Value, 'g', 4, 64), n.Note})
	}
	var b bytes.Buffer
	if err := claimsTmpl.Execute(&b, data); err != nil {
		panic("book.ClaimsHTML: " + err.Error()) // the template and its data are fixed here
	}
	return template.HTML(b.String())
}
