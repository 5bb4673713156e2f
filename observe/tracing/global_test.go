package tracing_test

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

func otelGlobal() trace.TracerProvider  { return otel.GetTracerProvider() }
func setGlobal(tp trace.TracerProvider) { otel.SetTracerProvider(tp) }
