package scopegrpc

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gogoscope/gogoscope/adapters/appscope"
	"github.com/gogoscope/gogoscope/effect"
	"github.com/gogoscope/gogoscope/resource"
)

// grpcStatus is what gRPC's status errors implement.
type grpcStatus interface{ GRPCStatus() *status.Status }

// Outcome is how a failed call is answered, as [Adapter.Outcome] decides
// it.
type Outcome struct {
	// Status is the status sent to the client. Its message is the message
	// of a status the failure carried, else the code's name: never the
	// failure's own text.
	Status *status.Status
	// Err is the failure, as [appscope.App.Run] returned it.
	Err error
	// Defect is the failure's first defect, if any: logged with its stack,
	// never sent.
	Defect *effect.Defect
	// ClientGone reports that the client cancelled the call: the status
	// (Canceled) reaches no one.
	ClientGone bool
}

// outcome classifies err, the failure of a call whose incoming context is
// clientCtx. The order of the rules is the package doc's.
func outcome(clientCtx context.Context, err error, custom func(error) codes.Code) Outcome {
	o := Outcome{Err: err}
	var d *effect.Defect
	if errors.As(err, &d) {
		o.Defect = d
	}
	interrupted := errors.Is(err, effect.ErrInterrupted)
	shutdown := errors.Is(err, appscope.ErrShutdown)
	var gs grpcStatus
	var te *effect.TimeoutError
	code := codes.OK
	switch {
	case interrupted && clientCtx.Err() != nil && !shutdown && !errors.Is(err, appscope.ErrCanceled):
		o.ClientGone = true
		if errors.Is(clientCtx.Err(), context.DeadlineExceeded) {
			code = codes.DeadlineExceeded
		} else {
			code = codes.Canceled
		}
	case o.Defect != nil:
		code = codes.Internal
	case custom != nil && custom(err) != codes.OK:
		code = custom(err)
	case errors.As(err, &gs) && gs.GRPCStatus() != nil:
		o.Status = gs.GRPCStatus()
		return o
	case shutdown, errors.Is(err, resource.ErrBreakerOpen):
		code = codes.Unavailable
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	case interrupted:
		code = codes.Canceled
	default:
		code = codes.Unknown
	}
	o.Status = status.New(code, code.String())
	return o
}
