//go:build race

package effect

// raceEnabled reports whether the tests run with the race detector.
const raceEnabled = true
