// Command asmgen writes the amd64 assembly of the MLP's float32 kernels
// (toy/nn/kernel_amd64.s) and its Go declarations with avo.
package main

import (
	. "github.com/mmcloughlin/avo/build"
)

func main() {
	Package("difftoy/toy/nn")
	ConstraintExpr("amd64 && !purego")
	Generate()
}
