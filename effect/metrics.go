package effect

import "time"

// MetricsSnapshot is a point-in-time copy of a set of metrics, with the
// p50, p90, p95 and p99 of every histogram: what observe/snapshot reads
// from the OpenTelemetry SDK (go-go-scope's histogram().snapshot() and
// JSON export), and what a live inspector shows. It is plain data that
// marshals with encoding/json; the effect package itself records no
// metrics.
type MetricsSnapshot struct {
	// Taken is when the snapshot was taken.
	Taken time.Time `json:"taken"`
	// Metrics are the metrics, sorted by name.
	Metrics []Metric `json:"metrics"`
}

// Metric is one metric of a [MetricsSnapshot].
type Metric struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Unit        string `json:"unit,omitempty"`
	// Kind is "counter" (a monotonic sum), "updowncounter" (a sum that may
	// go down), "gauge" or "histogram".
	Kind string `json:"kind"`
	// Points are its data points, one per set of attributes.
	Points []MetricPoint `json:"points"`
}

// MetricPoint is one data point of a [Metric].
type MetricPoint struct {
	// Attributes are the point's attributes, as strings.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Value is the sum or the gauge's value; for a histogram, its count.
	Value float64 `json:"value"`
	// Histogram holds a histogram's distribution.
	Histogram *HistogramSnapshot `json:"histogram,omitempty"`
}

// HistogramSnapshot is the distribution of a histogram point. The
// percentiles are estimated from the buckets by linear interpolation
// within the bucket that holds the rank, clamped to Min and Max; with the
// SDK's base-2 exponential histograms (as observe/snapshot configures) the
// relative error is a fraction of a percent.
type HistogramSnapshot struct {
	Count uint64  `json:"count"`
	Sum   float64 `json:"sum"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
}

// Metric returns the metric named name and true, or false if there is
// none.
func (s MetricsSnapshot) Metric(name string) (Metric, bool) {
	for _, m := range s.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Point returns the point whose attributes include every key and value of
// attrs (given as key, value, key, value...), and true; or false if there
// is none. It panics if attrs has an odd length.
func (m Metric) Point(attrs ...string) (MetricPoint, bool) {
	if len(attrs)%2 != 0 {
		panic("effect.Metric.Point: attrs must be key, value pairs")
	}
next:
	for _, p := range m.Points {
		for i := 0; i < len(attrs); i += 2 {
			if v, ok := p.Attributes[attrs[i]]; !ok || v != attrs[i+1] {
				continue next
			}
		}
		return p, true
	}
	return MetricPoint{}, false
}
