//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "this is the Explorer page's engine: build it with GOOS=js GOARCH=wasm (the main job does)")
	os.Exit(2)
}
