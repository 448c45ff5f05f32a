package mdmath

import (
	"bytes"
	"strings"
)

// SplitTitle returns the text of a document's level-1 heading when it is
// the first line that is not blank ("# Title"), and the source without it;
// otherwise "" and the source unchanged.
func SplitTitle(src []byte) (title string, body []byte) {
	rest := src
	for len(rest) > 0 {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		t := strings.TrimSpace(string(line))
		switch {
		case t == "":
			rest = after
			continue
		case strings.HasPrefix(t, "# "):
			return strings.TrimSpace(strings.TrimRight(t[2:], "#")), after
		}
		break
	}
	return "", src
}

// SplitBefore cuts a document before the first line that starts with
// prefix (a heading such as "## What to look for"), returning the text
// before it and the text from it on; ok is false, and before the whole
// source, when no line starts with prefix.
func SplitBefore(src []byte, prefix string) (before, from []byte, ok bool) {
	p := []byte(prefix)
	if bytes.HasPrefix(src, p) {
		return nil, src, true
	}
	if i := bytes.Index(src, append([]byte("\n"), p...)); i >= 0 {
		return src[:i+1], src[i+1:], true
	}
	return src, nil, false
}
