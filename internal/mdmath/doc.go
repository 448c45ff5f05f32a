// Package mdmath turns the course's Markdown with LaTeX maths into HTML for
// the offline book, and says where the pages load KaTeX from.
//
// Markdown and TeX disagree about _, *, \ and |: read as Markdown,
// $x_{t-1} \| y_t$ would lose its backslashes and start an emphasis. So
// Render cuts every maths span out of the source before the Markdown parser
// sees it,
//
//	$...$   -> inline maths      $$...$$ -> display maths
//
// (outside code spans and fenced code blocks; \$ is a literal dollar, and an
// inline span opens on a $ followed by a non-space and closes on a $ after a
// non-space that no digit follows, as in Pandoc), leaves a placeholder in its
// place, and puts the span back after the parse, HTML-escaped and verbatim,
// in a <span class="math inline"> or <span class="math display">. In the
// browser, the script of Assets.Head renders each such span with
// katex.render; a span KaTeX cannot parse is shown as its TeX source, marked
// with the class katex-error, and reported on the console.
package mdmath
