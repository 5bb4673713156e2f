// Command typed-errors places orders with an order service whose effects
// fail with a closed set of domain failures — OrderError: UnknownCustomer,
// OutOfStock, CardDeclined, PaymentTimeout, Unavailable — in the failure
// type E of effect.Effect[any, OrderError, A], instead of an anonymous
// error. It shows:
//
//   - infrastructure errors (a refused connection, a driver's typed error)
//     classified into the set where they enter, with MapError;
//
//   - recovery that is typed: a backorder catches OutOfStock and nothing
//     else;
//
//   - a timeout that is a member of the set (TimeoutFail), not a separate
//     kind of error;
//
//   - the edge, Respond, matching every member with a type switch to an
//     HTTP status — and a test that fails when a member is added to the set
//     without a case there;
//
//   - what is not in the set: a bug (a panic) is a defect and a client that
//     went away is an interruption, both told apart from the domain
//     failures by the Cause, never mistaken for one.
//
//     go run ./examples/typed-errors
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gogoscope/gogoscope/effect"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "typed-errors:", err)
		os.Exit(1)
	}
}

// Respond turns how placing an order ended into an HTTP status and a body:
// the one place that knows every OrderError. A defect (a bug) is a 500 that
// tells the client nothing of it; an interruption means the client went
// away.
func Respond(x effect.Exit[OrderError, Receipt]) (int, string) {
	if r, ok := x.Value(); ok {
		return 201, fmt.Sprintf("order %s: %d %s for %s, payment %s", r.Status, r.Order.Qty, r.Order.SKU, r.Order.Customer, r.Payment)
	}
	c := x.Cause()
	if len(c.Defects()) > 0 {
		return 500, "internal error"
	}
	if e, ok := c.Failure(); ok {
		switch e := e.(type) {
		case UnknownCustomer:
			return 404, "no customer " + e.ID
		case OutOfStock:
			return 409, fmt.Sprintf("only %d %s left", e.Have, e.SKU)
		case CardDeclined:
			return 402, "card declined: " + e.Reason
		case PaymentTimeout:
			return 504, "payment provider timed out"
		case Unavailable:
			return 503, e.Service + " unavailable, try again later"
		}
		return 500, fmt.Sprintf("unhandled order error %T", e) // a test keeps this line unreachable
	}
	if c.IsInterruptedOnly() {
		return 499, "client closed request"
	}
	return 500, "internal error"
}

// run places a series of orders, each ending a different way, and prints
// the response to each.
func run(ctx context.Context, w io.Writer) error {
	shop := NewShop()
	orders := []struct {
		title string
		order Order
		setup func(s *Shop)
	}{
		{"a keyboard for ada", Order{Customer: "ada", SKU: "keyboard", Qty: 1, Card: "4242-4242"}, nil},
		{"a cable for mallory", Order{Customer: "mallory", SKU: "cable", Qty: 1, Card: "4242-4242"}, nil},
		{"five keyboards for grace", Order{Customer: "grace", SKU: "keyboard", Qty: 5, Card: "4242-4242"}, nil},
		{"five keyboards for grace, backorder accepted", Order{Customer: "grace", SKU: "keyboard", Qty: 5, Card: "4242-4242", Backorder: true}, nil},
		{"a cable for ada, card refused", Order{Customer: "ada", SKU: "cable", Qty: 1, Card: "4000-0000"}, nil},
		{"a cable for ada, payment provider hangs", Order{Customer: "ada", SKU: "cable", Qty: 1, Card: "4000-hang"}, nil},
		{"a cable for grace, inventory database down", Order{Customer: "grace", SKU: "cable", Qty: 1, Card: "4242-4242"},
			func(s *Shop) { s.inventoryDown = true }},
		{"a glitch for ada (a bug in the inventory)", Order{Customer: "ada", SKU: "glitch", Qty: 1, Card: "4242-4242"},
			func(s *Shop) { s.inventoryDown = false }},
	}
	for i, o := range orders {
		if o.setup != nil {
			o.setup(shop)
		}
		status, body := Respond(effect.RunExit(ctx, shop.PlaceOrder(o.order), nil))
		fmt.Fprintf(w, "%d. %s: %d %s\n", i+1, o.title, status, body)
	}

	// A client that goes away while its payment is in flight: its request
	// ctx is cancelled, the order's fiber is interrupted, and the edge sees
	// an interruption, not a failure of the order.
	reqCtx, cancel := context.WithCancel(ctx)
	shop.charging = make(chan string, 1)
	go func() { <-shop.charging; cancel() }()
	status, body := Respond(effect.RunExit(reqCtx, shop.PlaceOrder(Order{Customer: "ada", SKU: "widget", Qty: 1, Card: "4000-hang"}), nil))
	cancel()
	fmt.Fprintf(w, "%d. a widget for ada, the client hangs up during payment: %d %s\n", len(orders)+1, status, body)

	// Plain Go at the edge: Run returns the failure as itself, an error
	// that errors.As finds.
	_, err := effect.Run(ctx, shop.PlaceOrder(Order{Customer: "ada", SKU: "mouse", Qty: 1, Card: "4242-4242"}), nil)
	var oos OutOfStock
	fmt.Fprintf(w, "plain Go: err = %v; errors.As(err, &OutOfStock{}) = %v (want %d)\n", err, errors.As(err, &oos), oos.Want)
	fmt.Fprintf(w, "on the shelf: keyboard %d, cable %d, widget %d (reservations of the orders that failed were given back)\n",
		shop.Stock("keyboard"), shop.Stock("cable"), shop.Stock("widget"))
	return nil
}
