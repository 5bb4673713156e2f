module github.com/gogoscope/gogoscope/scripts/crosscheck

go 1.26.0

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/tools v0.51.0
)

require (
	golang.org/x/mod v0.41.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
)
