// The book: one offline page per lesson of the course, with the numbers
// and charts of its experiment.

package main

import (
	"context"
	"fmt"
	"strconv"

	"difftoy/course"
	"difftoy/viz"
	"difftoy/viz/gallery"
)

const bookIntro = "The experiment of every lesson, run by the main job: the numbers each lesson discusses " +
	"and its charts. The text is in lessons/, the same experiments run in notebooks/."

// bookEntries returns one site entry per lesson. Each runs the lesson's
// experiment with cfg (seeded by the entry's seed) and reports the
// experiment's own progress (training) to step.
func bookEntries(ctx context.Context, cfg course.Config, step func(lesson, note string, done, total int)) []gallery.Entry {
	var es []gallery.Entry
	for _, l := range course.Lessons() {
		es = append(es, gallery.Entry{
			File:  l.ID + ".html",
			Title: l.Title,
			Note:  l.ID,
			Build: func(seed uint64) (*viz.Page, error) {
				c := cfg
				c.Seed = seed
				var p course.Progress
				if step != nil {
					p = func(done, total int, note string) { step(l.Title, note, done, total) }
				}
				res, err := l.Run(ctx, c, p)
				if err != nil {
					return nil, err
				}
				return lessonPage(l, res), nil
			},
		})
	}
	return es
}

// lessonPage lays out a lesson's result: its numbers as a table, then its
// charts.
func lessonPage(l course.Lesson, res *course.Result) *viz.Page {
	p := viz.NewPage(l.Title).Text(fmt.Sprintf("Lesson %s: text in %s, notebook %s.", l.ID, l.Markdown, l.Notebook))
	if len(res.Numbers) > 0 {
		var rows [][]string
		for _, n := range res.Numbers {
			rows = append(rows, []string{n.Name, strconv.FormatFloat(n.Value, 'g', 4, 64), n.Note})
		}
		p.Table([]string{"quantity", "value", "meaning"}, rows)
	}
	return p.Add(res.Charts...)
}
