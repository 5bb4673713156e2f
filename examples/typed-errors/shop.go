package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gogoscope/gogoscope/effect"
)

// Eff is the shape of the order service's effects: no environment, an
// OrderError when it fails.
type Eff[A any] = effect.Effect[any, OrderError, A]

// fail and succeed fix the failure type to OrderError, so that a variant
// (OutOfStock{...}) is not taken for a failure type of its own.
func fail[A any](e OrderError) Eff[A] { return effect.Fail[any, A](e) }
func succeed[A any](a A) Eff[A]       { return effect.Succeed[any, OrderError](a) }

// call lifts plain Go that talks to a dependency: its error — whatever
// the driver returns — becomes Unavailable unless classify recognizes it
// as a domain failure. An interruption is not an error of the call and
// stays an interruption.
func call[A any](service string, fn func(ctx context.Context) (A, error), classify func(error) (OrderError, bool)) Eff[A] {
	return effect.Try[any](fn).MapError(func(err error) OrderError {
		if classify != nil {
			if e, ok := classify(err); ok {
				return e
			}
		}
		return Unavailable{Service: service, Err: err}
	})
}

// Order is a request of a customer.
type Order struct {
	Customer  string
	SKU       string
	Qty       int
	Card      string
	Backorder bool // accept a backorder when the item is out of stock
}

// Receipt is a placed order.
type Receipt struct {
	Order   Order
	Payment string
	Status  string // "confirmed" or "backordered"
}

// errDeclined is what the payment provider's SDK returns for a refused
// card (a stand-in for a driver's typed error).
type errDeclined struct{ reason string }

func (e *errDeclined) Error() string { return "payments: declined: " + e.reason }

// Shop is the order service over its dependencies, here in memory.
type Shop struct {
	mu        sync.Mutex
	customers map[string]bool
	stock     map[string]int
	// inventoryDown makes the inventory fail as a database does.
	inventoryDown bool
	// charging, if set, receives the card of each payment as it starts.
	charging chan string
	// PaymentLimit bounds each payment call.
	PaymentLimit time.Duration
}

// NewShop returns a shop with a few customers and items.
func NewShop() *Shop {
	return &Shop{
		customers:    map[string]bool{"ada": true, "grace": true},
		stock:        map[string]int{"keyboard": 3, "mouse": 0, "cable": 10, "widget": 5},
		PaymentLimit: 100 * time.Millisecond,
	}
}

// PlaceOrder returns the effect of placing o: check the customer, reserve
// the stock (or accept a backorder), charge the card. A reservation is
// given back when the order does not complete.
func (s *Shop) PlaceOrder(o Order) Eff[Receipt] {
	reserve := s.reserve(o.SKU, o.Qty).Map(func(struct{}) string { return "confirmed" })
	if o.Backorder {
		// Recovery is typed: only OutOfStock is handled, every other
		// failure goes on unchanged.
		reserve = reserve.Catch(func(e OrderError) Eff[string] {
			if _, ok := e.(OutOfStock); ok {
				return succeed("backordered")
			}
			return fail[string](e)
		})
	}
	return effect.AndThen(s.customer(o.Customer), reserve).FlatMap(func(status string) Eff[Receipt] {
		return s.charge(o).Map(func(payment string) Receipt { return Receipt{Order: o, Payment: payment, Status: status} })
	}).Scoped()
}

func (s *Shop) customer(id string) Eff[struct{}] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.customers[id] {
		return fail[struct{}](UnknownCustomer{ID: id})
	}
	return succeed(struct{}{})
}

func (s *Shop) reserve(sku string, qty int) Eff[struct{}] {
	take := call("inventory", func(ctx context.Context) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.inventoryDown {
			return 0, errors.New("dial tcp 127.0.0.1:5432: connection refused")
		}
		if sku == "glitch" {
			panic("inventory: nil map of SKU aliases") // a bug: a defect, not an OrderError
		}
		have := s.stock[sku]
		if have >= qty {
			s.stock[sku] = have - qty
		}
		return have, nil
	}, nil).FlatMap(func(have int) Eff[struct{}] {
		if have < qty {
			return fail[struct{}](OutOfStock{SKU: sku, Have: have, Want: qty})
		}
		return succeed(struct{}{})
	})
	// The reservation is a resource of the order's scope: if a later step
	// fails (the card is declined) or the order is interrupted, the items
	// go back to the shelf.
	return effect.AcquireReleaseExit(take, func(_ struct{}, err error) Eff[struct{}] {
		if err != nil {
			s.mu.Lock()
			s.stock[sku] += qty
			s.mu.Unlock()
		}
		return succeed(struct{}{})
	})
}

// Stock returns the number of items of sku on the shelf.
func (s *Shop) Stock(sku string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stock[sku]
}

func (s *Shop) charge(o Order) Eff[string] {
	pay := call("payments", func(ctx context.Context) (string, error) {
		if s.charging != nil {
			s.charging <- o.Card
		}
		switch o.Card {
		case "4000-0000":
			return "", &errDeclined{reason: "insufficient funds"}
		case "4000-hang": // the provider never answers: only ctx ends the call
			<-ctx.Done()
			return "", ctx.Err()
		}
		return fmt.Sprintf("pay_%s_%d", o.SKU, o.Qty), nil
	}, func(err error) (OrderError, bool) {
		var d *errDeclined
		if errors.As(err, &d) {
			return CardDeclined{Reason: d.reason}, true
		}
		return nil, false
	})
	// The timeout is a member of the closed set, not a separate error kind.
	return pay.TimeoutFail(s.PaymentLimit, PaymentTimeout{After: s.PaymentLimit.String()})
}
