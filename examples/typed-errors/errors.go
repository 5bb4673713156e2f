package main

import "fmt"

// OrderError is the closed set of ways placing an order can fail: the
// failure type E of every effect of the order service. The unexported
// method seals it — only the types of this file are OrderErrors — so the
// edge that turns them into responses can list them all, and a test checks
// that it does. Each is also an error, so plain Go code receiving one from
// Run can match it with errors.As.
type OrderError interface {
	error
	orderError()
}

// UnknownCustomer: the customer does not exist.
type UnknownCustomer struct{ ID string }

// OutOfStock: fewer items are in stock than ordered.
type OutOfStock struct {
	SKU        string
	Have, Want int
}

// CardDeclined: the payment provider refused the card.
type CardDeclined struct{ Reason string }

// PaymentTimeout: the payment provider did not answer in time.
type PaymentTimeout struct{ After string }

// Unavailable: a dependency failed (the inventory database, say); the
// order may succeed later. Err is the infrastructure error, for the logs.
type Unavailable struct {
	Service string
	Err     error
}

func (UnknownCustomer) orderError() {}
func (OutOfStock) orderError()      {}
func (CardDeclined) orderError()    {}
func (PaymentTimeout) orderError()  {}
func (Unavailable) orderError()     {}

func (e UnknownCustomer) Error() string { return "order: unknown customer " + e.ID }
func (e OutOfStock) Error() string {
	return fmt.Sprintf("order: %s out of stock (have %d, want %d)", e.SKU, e.Have, e.Want)
}
func (e CardDeclined) Error() string { return "order: card declined: " + e.Reason }
func (e PaymentTimeout) Error() string {
	return "order: payment provider did not answer within " + e.After
}
func (e Unavailable) Error() string { return "order: " + e.Service + " unavailable: " + e.Err.Error() }
func (e Unavailable) Unwrap() error { return e.Err }
