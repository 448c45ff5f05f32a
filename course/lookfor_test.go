package course

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lookItem maps one item of a lesson's "What to look for" list, named by
// its bold lead, to the charts that show it (each a part of a chart's
// title), or to the reason it is shown otherwise.
type lookItem struct {
	lead   string
	charts []string
	except string
}

// lookFor holds, per lesson, every item of its "What to look for" list in
// order. TestLookForMapped keeps it in step with the lesson texts; the
// lesson tests (runLesson) check that each run draws the charts named.
var lookFor = map[string][]lookItem{
	"01-forward-process": {
		{lead: "The data diffusing.", charts: []string{"diffusing: linear (top row) and cosine (bottom row)"}},
		{lead: `$\alpha_t$ against $t$`, charts: []string{"Linear and cosine schedules"}},
		{lead: `$\log \mathrm{SNR}_t$ (or $\log \sigma_t$) against $t$.`, charts: []string{"Linear and cosine schedules"}},
		{lead: "Step-by-step chain vs closed form.", charts: []string{"Step-by-step chain against one jump"}},
	},
	"02-ideal-denoiser": {
		{lead: `Posterior weights $\pi_i(x)$ over the plane`, charts: []string{"Posterior weights πᵢ(x) across t"}},
		{lead: "The denoiser field", charts: []string{"Denoiser field D*_t(x) − x across t"}},
		{lead: "The score field across $t$", charts: []string{"Score ∇log q_t over contours of log q_t"}},
		{lead: "Tweedie check", charts: []string{"Tweedie check along"}},
	},
	"03-training": {
		{lead: "The training loss curve", charts: []string{"Training"}},
		{lead: "Error per $t$", charts: []string{"Training"}},
		{lead: "Trained vs exact denoiser fields", charts: []string{"Trained against exact denoiser fields"}},
		{lead: "The ELBO weights $w_t$", charts: []string{"ELBO weights"}},
		{lead: "The ablation", except: "a table of the run's numbers (one row per ingredient), not a chart"},
	},
	"04-ancestral-sampling": {
		{lead: "Samples against the data", charts: []string{"DDPM samples over the data density"}},
		{lead: "Both variance choices", charts: []string{"DDPM samples over the data density"}},
		{lead: "Trajectories", charts: []string{"Trajectories x_T → x_0 and the denoiser's guesses"}},
		{lead: "Snapshots across $t$", charts: []string{"The chains at t against fresh samples of q_t"}},
	},
	"05-changing-schedule": {
		{lead: `$\log\sigma_t$ of the two schedules`, charts: []string{"Matching noise levels"}},
		{lead: "Samples from one trained denoiser under several schedules", charts: []string{"One denoiser, several schedules"}},
		{lead: "What goes wrong without matching", charts: []string{"One denoiser, several schedules"}},
		{lead: "Quality against the number of steps", charts: []string{"Quality against the number of steps"}},
	},
	"06-parametrisations": {
		{lead: "Four networks, one picture.", charts: []string{"Four networks converted to x0"}},
		{lead: "The four exact fields", charts: []string{"The four exact readings"}},
		{lead: "Implied weights", charts: []string{"The weight each loss puts on"}},
		{lead: "Samples", charts: []string{"Samples of the four networks"}},
	},
	"07-conditional": {
		{lead: "The labelled data", charts: []string{"The labelled data"}},
		{lead: "Conditional samples per class", charts: []string{"Conditional samples per class"}},
		{lead: "Conditional vs unconditional denoiser fields", charts: []string{"Conditional against unconditional denoiser fields"}},
		{lead: `The noisy class posterior $q_t(y \mid x)$ over the plane across $t$`, charts: []string{"The noisy class posterior across t"}},
		{lead: "The numbers per class", except: "not a chart: the run's numbers per class (energy distance, classifier share, spread), next to the data's"},
	},
	"08-classifier-guidance": {
		{lead: `The exact noisy class posterior $q_t(y \mid x)$ and the trained classifier's $C_t(y \mid x)$`, charts: []string{"The noisy classifiers over the plane"}},
		{lead: "The classifier-gradient field", charts: []string{"Classifier gradient fields"}},
		{lead: "Classifier accuracy per $t$", charts: []string{"Noisy classifiers"}},
		{lead: `A $\gamma$ sweep`, charts: []string{"exact classifier: guided samples of class 0", "trained classifier: guided samples of class 0"}},
		{lead: "The mean exact class posterior", charts: []string{"The guided samples against γ"}},
	},
	"09-classifier-free-guidance": {
		{lead: "Training with label dropout", charts: []string{"Training with label dropout"}},
		{lead: "The guided field", charts: []string{"Guided field D̃_t(x | 0) − x"}},
		{lead: `The $\gamma$ sweep`, charts: []string{"exact: guided samples of class 0", "trained: guided samples of class 0", "The guided samples against γ"}},
		{lead: "Guided vs tilted", charts: []string{"Guided is not tilted", "Guided against tilted"}},
		{lead: "The Gaussian sharpening table", except: "a table of the run's numbers (measured variance, 1/(2a − 1), 1/a), not a chart"},
	},
	"10-deterministic-sampling": {
		{lead: "DDPM vs DDIM trajectories", charts: []string{"Trajectories: stochastic vs deterministic"}},
		{lead: "Samples against the number of steps", charts: []string{"DDPM and DDIM against the number of steps"}},
		{lead: `An $\eta$ sweep`, charts: []string{"η from DDIM (0) to DDPM (1)"}},
		{lead: "Noise vs drift", charts: []string{"Four samplers from the same x_T", "Trajectories: stochastic vs deterministic"}},
		{lead: "Inversion", charts: []string{"DDIM inversion, 100 steps", "DDIM inversion round trip"}},
		{lead: "Euler vs Heun", charts: []string{"Euler against Heun on the PF-ODE"}},
		{lead: "Likelihood", charts: []string{"Exact likelihood of DDIM's samples"}},
	},
	"11-langevin": {
		{lead: "Langevin on a fixed 2-D density", charts: []string{"Langevin from one point"}},
		{lead: "Bias against step size", charts: []string{"Bias of unadjusted Langevin"}},
		{lead: "Stuck in modes", charts: []string{"Share of chains in the heavier mode", "Chains moving: plain vs annealed"}},
		{lead: "Annealed Langevin snapshots", charts: []string{"Annealed Langevin across levels"}},
		{lead: "Predictor–corrector vs predictor only", charts: []string{"Predictor-corrector on eight Gaussians"}},
	},
	"12-memorisation": {
		{lead: "Training points and samples", charts: []string{"who copies them?"}},
		{lead: "Histogram of nearest-training-point distances", charts: []string{"Distance to the nearest training point"}},
		{lead: "Denoiser fields at a small $t$", charts: []string{"Denoiser fields at t = "}},
		{lead: "Training and held-out loss per $t$", charts: []string{"x_0 loss per t on training and held-out points"}},
		{lead: "A sweep over $N$", charts: []string{"Copying against the number of training points N"}},
	},
	"13-sde": {
		{lead: "Same marginals, different paths", charts: []string{"Paths of the SDE family", "The family's samples at t = 0"}},
		{lead: "Marginals against exact $q_t$", charts: []string{"Marginals of the family against exact q_t"}},
		{lead: "Analytic-DPM's variance", charts: []string{"Reverse variances per move"}},
		{lead: "Three variances at few steps", charts: []string{"Energy distance against the number of steps: three reverse variances"}},
		{lead: "Three score-matching losses", charts: []string{"Three score-matching losses of one field"}},
	},
	"14-flow-matching": {
		{lead: "Straight and curved paths.", charts: []string{"Rectified-flow paths: exact and Euler with 4 moves"}},
		{lead: "The error against the moves.", charts: []string{"Euler's endpoint error against the number of moves"}},
		{lead: "The change of time.", charts: []string{"DDIM is flow-matching Euler after a change of time"}},
		{lead: "Unit variance.", charts: []string{"Preconditioning coefficients and unit variance"}},
		{lead: "Loss weights and noise levels.", charts: []string{"Loss weights and noise-level sampling"}},
		{lead: "The edit.", charts: []string{"Editing by inversion"}},
	},
}

// lookForLeads returns the bold leads of the items of the lesson text's
// "What to look for" section, in order.
func lookForLeads(text string) []string {
	var items []string
	in := false
	for _, line := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			in = strings.HasPrefix(line, "## What to look for")
		case !in:
		case strings.HasPrefix(line, "* "):
			items = append(items, strings.TrimPrefix(line, "* "))
		case len(items) > 0 && strings.HasPrefix(line, "  "):
			items[len(items)-1] += " " + strings.TrimSpace(line)
		}
	}
	var leads []string
	for _, it := range items {
		lead := ""
		if strings.HasPrefix(it, "**") {
			if end := strings.Index(it[2:], "**"); end >= 0 {
				lead = it[2 : 2+end]
			}
		}
		leads = append(leads, lead)
	}
	return leads
}

// TestLookForMapped: every item of every lesson's "What to look for" list
// has an entry in lookFor, in order, naming the charts that show it or the
// reason it is not a chart; and lookFor names no item the texts lack.
func TestLookForMapped(t *testing.T) {
	for _, l := range Lessons() {
		b, err := os.ReadFile(filepath.Join("..", l.Markdown))
		if err != nil {
			t.Fatal(err)
		}
		leads := lookForLeads(string(b))
		want := lookFor[l.ID]
		if len(leads) == 0 {
			t.Errorf("%s: no \"What to look for\" items found", l.ID)
		}
		for i := range max(len(leads), len(want)) {
			switch {
			case i >= len(want):
				t.Errorf("%s: item %d (%q) has no chart or exception in lookFor", l.ID, i+1, leads[i])
			case i >= len(leads):
				t.Errorf("%s: lookFor names item %q, which the text does not have", l.ID, want[i].lead)
			case leads[i] == "":
				t.Errorf("%s: item %d has no bold lead to name it by", l.ID, i+1)
			case leads[i] != want[i].lead:
				t.Errorf("%s: item %d is %q in the text, %q in lookFor", l.ID, i+1, leads[i], want[i].lead)
			case (len(want[i].charts) == 0) == (strings.TrimSpace(want[i].except) == ""):
				t.Errorf("%s: item %q needs either charts or an exception with its reason", l.ID, want[i].lead)
			}
		}
	}
}

// maxChartWidth is the widest chart a page shows whole in a 1 400 px window.
const maxChartWidth = 1360

// checkLookFor fails the lesson's test for each chart that its "What to
// look for" list promises (through lookFor) and the run r does not draw,
// and for each chart of r without a caption or too wide to be seen whole.
func checkLookFor(t *testing.T, id string, r *Result) {
	t.Helper()
	var titles []string
	for _, c := range r.Charts {
		titles = append(titles, c.Title)
		if strings.TrimSpace(c.Caption) == "" {
			t.Errorf("%s: chart %q has no caption", id, c.Title)
		}
		// The book's pages are read in windows about 1 400 px wide, with
		// a 20 px margin: a wider chart is cut off.
		if c.Width > maxChartWidth {
			t.Errorf("%s: chart %q is %d px wide, more than %d", id, c.Title, c.Width, maxChartWidth)
		}
	}
	for _, it := range lookFor[id] {
		for _, want := range it.charts {
			found := false
			for _, title := range titles {
				found = found || strings.Contains(title, want)
			}
			if !found {
				t.Errorf("%s: item %q promises a chart titled like %q; the run draws %q", id, it.lead, want, titles)
			}
		}
	}
}
