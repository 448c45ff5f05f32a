// Names of the enumerated settings (activation, parametrisation, time
// input, weighting, decay): one lookup for every Parse function, so an
// unknown name always lists the valid ones.

package nn

import (
	"fmt"
	"strings"
)

// validNames lists names for an error message.
func validNames(names []string) string { return strings.Join(names, ", ") }

// parseName returns the index of name in names, or an error naming what
// was asked for and listing the valid names.
func parseName(what string, names []string, name string) (int, error) {
	for i, n := range names {
		if n == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("nn: unknown %s %q (valid: %s)", what, name, validNames(names))
}

// nameOf returns names[i], or type(i) for a value outside the list.
func nameOf(names []string, i int, typ string) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}
