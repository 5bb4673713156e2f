// Package advanced holds the patterns of docs/advanced.md — supervision,
// daemon fibers, uninterruptible regions, stack-safe recursion and custom
// schedules — each a runnable Example with its output. The chapter shows
// each Example's file as it is, and a test of this package checks that the
// chapter and the files say the same thing.
//
// Run them with
//
//	go test ./docs/advanced
//
// Each file NN_name_test.go is one pattern, in the chapter's order.
package advanced
