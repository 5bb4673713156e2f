package main

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/gogoscope/gogoscope/effect"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const want = `1. a keyboard for ada: 201 order confirmed: 1 keyboard for ada, payment pay_keyboard_1
2. a cable for mallory: 404 no customer mallory
3. five keyboards for grace: 409 only 2 keyboard left
4. five keyboards for grace, backorder accepted: 201 order backordered: 5 keyboard for grace, payment pay_keyboard_5
5. a cable for ada, card refused: 402 card declined: insufficient funds
6. a cable for ada, payment provider hangs: 504 payment provider timed out
7. a cable for grace, inventory database down: 503 inventory unavailable, try again later
8. a glitch for ada (a bug in the inventory): 500 internal error
9. a widget for ada, the client hangs up during payment: 499 client closed request
plain Go: err = order: mouse out of stock (have 0, want 1); errors.As(err, &OutOfStock{}) = true (want 1)
on the shelf: keyboard 2, cable 10, widget 5 (reservations of the orders that failed were given back)
`

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
}

// members are one value of each OrderError type.
var members = []OrderError{
	UnknownCustomer{ID: "x"},
	OutOfStock{SKU: "x"},
	CardDeclined{Reason: "x"},
	PaymentTimeout{After: "1s"},
	Unavailable{Service: "x", Err: errors.New("x")},
}

// TestRespondKnowsEveryMember finds every type of this package that has
// the sealing method orderError, checks that members lists each, and that
// Respond gives each a status of its own — not the 500 of its fallback. A
// member added to the set without a case in Respond fails here.
func TestRespondKnowsEveryMember(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "orderError" && fn.Recv != nil {
			sealed = append(sealed, fn.Recv.List[0].Type.(*ast.Ident).Name)
		}
	}
	var listed []string
	for _, m := range members {
		listed = append(listed, typeName(m))
	}
	slices.Sort(sealed)
	slices.Sort(listed)
	if !slices.Equal(sealed, listed) {
		t.Fatalf("the set is %v, the test lists %v", sealed, listed)
	}
	seen := map[int]string{}
	for _, m := range members {
		status, body := Respond(effect.FailedWith[OrderError, Receipt](effect.CauseFail[OrderError](m)))
		if status == 500 {
			t.Errorf("%T: Respond falls back to %d %q", m, status, body)
		}
		if other, ok := seen[status]; ok {
			t.Errorf("%T and %s share the status %d", m, other, status)
		}
		seen[status] = typeName(m)
	}
}

func typeName(v any) string { return strings.TrimPrefix(fmt.Sprintf("%T", v), "main.") }

// TestDefectBesideFailure: a failure joined with a defect (a failing
// compensation, say) is answered as the bug it is, not as the failure.
func TestDefectBesideFailure(t *testing.T) {
	c := effect.CauseFail[OrderError](OutOfStock{SKU: "x"}).Then(effect.CauseDie[OrderError]("compensation failed"))
	if status, _ := Respond(effect.FailedWith[OrderError, Receipt](c)); status != 500 {
		t.Fatalf("got %d, want 500", status)
	}
}
