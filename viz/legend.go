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
