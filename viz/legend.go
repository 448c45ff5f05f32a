package viz

// legendRows estimates how many rows echarts' horizontal legend takes in a
// chart width px wide: each item is its 25 px symbol, a 5 px gap, its
// text (12 px font, at most about 7 px a character) and 10 px before the
// next item; items wrap greedily when a row is full, inside 5 px padding.
// The estimate errs on the wide side, so room is never too small.
func legendRows(names []string, width int) int {
	rows, used := 1, 0
	room := width - 10
	for _, n := range names {
		w := 25 + 5 + 7*len([]rune(n))
		if used > 0 && used+10+w > room {
			rows++
			used = 0
		}
		if used > 0 {
			used += 10
		}
		used += w
	}
	return rows
}

// legendRowHeight is the height of one legend row (12 px text, its 14 px
// symbol and echarts' gaps).
const legendRowHeight = 22

// legendNames lists legend entries once each, in order of first addition.
type legendNames struct {
	names []string
	seen  map[string]bool
}

// add appends name unless it is listed already.
func (l *legendNames) add(name string) {
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if !l.seen[name] {
		l.seen[name] = true
		l.names = append(l.names, name)
	}
}

// legendOption is the legend of names, above the panels.
func legendOption(names []string) map[string]any {
	return map[string]any{"data": names, "top": 30}
}

// setLegend sets the legend of names on c, or hides it when there are none.
func (c *Chart) setLegend(names []string) {
	if len(names) > 0 {
		c.set("legend", legendOption(names))
	} else {
		c.set("legend", map[string]any{"show": false})
	}
}
