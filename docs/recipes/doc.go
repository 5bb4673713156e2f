// Package recipes holds the recipes of docs/recipes.md: short answers to
// problems a service engineer meets, each a runnable Example with its
// output. The chapter shows each Example's file as it is, and a test of
// this package checks that the chapter and the files say the same thing,
// so the recipes cannot drift from the code that runs.
//
// Run them with
//
//	go test ./docs/recipes
//
// Each file NN_name_test.go is one recipe, in the chapter's order.
// cancellation_test.go checks the lifetimes that docs/cancellation.md
// states and that the effect package's own tests do not.
package recipes
