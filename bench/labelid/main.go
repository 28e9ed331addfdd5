// Command labelid prints the label ID of synthetic record number N, as
// "trustmark generate" creates it, for load-test scripts.
package main

import (
	"fmt"
	"os"
	"strconv"

	"trustmark/internal/demo"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: labelid N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintln(os.Stderr, "labelid: N must be a whole number ≥ 0")
		os.Exit(2)
	}
	fmt.Println(demo.GeneratedLabelID(n))
}
