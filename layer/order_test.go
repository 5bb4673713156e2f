package layer_test

import (
	"testing"
)

func TestChainBuildsInOrderAndReleasesInReverse(t *testing.T) {
	j := &journal{}
	app := resource(j, "config").To(resource(j, "pool")).To(resource(j, "repo")).To(resource(j, "service"))
	v, scope := mustBuild(t, app, "root")
	if want := "root/config/pool/repo/service"; v != want {
		t.Fatalf("value: got %q want %q", v, want)
	}
	wantEvents(t, j, "acquire config", "acquire pool", "acquire repo", "acquire service")
	mustClose(t, scope)
	wantEvents(t, j, "acquire config", "acquire pool", "acquire repo", "acquire service",
		"release service", "release repo", "release pool", "release config")
	mustClose(t, scope) // closing again does nothing
	if n := len(j.get()); n != 8 {
		t.Fatalf("second Close: got %d events want 8", n)
	}
}
