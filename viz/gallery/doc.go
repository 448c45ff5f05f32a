// Package gallery draws every chart kind of package viz once, as a folder
// of offline HTML pages with an index. Each page shows a chart of a
// lesson's experiment (package course), as the lesson's page of the book
// shows it, and names the lesson it comes from; the kinds that no lesson
// draws are shown on small fixed data. The gallery runs no experiment: the
// caller hands it the lessons' results (Lessons lists the lessons it needs).
//
// A page of a lesson's chart shows the very *viz.Chart of the lesson's
// course.Result (found by its title), with the lesson's caption, under a
// line naming the lesson; Entries lists the pages, one per exported
// function of package viz that returns a chart.
package gallery
