package layer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gogoscope/gogoscope/layer"
)

func TestProgrammingErrorsPanicWithAClearMessage(t *testing.T) {
	var nilLayer *layer.Layer[any, error, int]
	ok := layer.Succeed[any, error](1)
	for _, tc := range []struct {
		name string
		fn   func()
		want string
	}{
		{"To nil next", func() { layer.To(ok, (*layer.Layer[int, error, int])(nil)) }, "layer.To: next must be a layer"},
		{"To nil from", func() { layer.To(nilLayer, layer.Succeed[int, error](2)) }, "layer.To: from must be a layer"},
		{"zero Layer", func() { layer.Map(&layer.Layer[any, error, int]{}, func(int) int { return 0 }) }, "layer.Map: l must be a layer"},
		{"Sync nil", func() { layer.Sync[error, any, int](nil) }, "layer.Sync: f must not be nil"},
		{"Resource nil close", func() { layer.Resource[any, int](nil, nil) }, "layer.Resource: open must not be nil"},
		{"Field nil set", func() { layer.Field[any, error, struct{}, int](ok, nil) }, "layer.Field: set must not be nil"},
		{"zero Part", func() { layer.Struct(layer.Part[any, error, struct{}]{}) }, "layer.Struct: parts[0] must be made by layer.Field"},
		{"zero Replacement", func() { layer.Override(ok, layer.Replacement{}) }, "layer.Override: replacements[0] must be made by"},
		{"From nil", func() { layer.From[int](nil) }, "layer.From: f must not be nil"},
		{"New nil", func() { layer.New[int, int](nil) }, "layer.New: f must not be nil"},
		{"Try nil", func() { layer.Try[int](nil) }, "layer.Try: f must not be nil"},
		{"Open nil open", func() { layer.Open(nil, func(int) error { return nil }) }, "layer.Open: open must not be nil"},
		{"Open nil close", func() { layer.Open(func(context.Context) (int, error) { return 0, nil }, nil) }, "layer.Open: close must not be nil"},
		{"Named nil", func() { nilLayer.Named("x") }, "layer.Layer.Named: the receiver must be a layer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Fatalf("panic: got %v want a message containing %q", r, tc.want)
				}
			}()
			tc.fn()
		})
	}
}
