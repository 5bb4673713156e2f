package metrics

import (
	"math"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Snapshot is a point-in-time copy of the metrics of a Prometheus
// gatherer, with the p50, p90, p95 and p99 of every histogram:
// go-go-scope's histogram snapshot and JSON export. It is plain data that
// marshals with encoding/json. Take one with [TakeSnapshot].
type Snapshot struct {
	// Taken is when the snapshot was taken.
	Taken time.Time `json:"taken"`
	// Metrics are the metric families, sorted by name.
	Metrics []Metric `json:"metrics"`
}

// Metric is one metric family of a [Snapshot].
type Metric struct {
	Name string `json:"name"`
	Help string `json:"help,omitempty"`
	// Kind is "counter", "gauge", "histogram", "summary" or "untyped".
	Kind string `json:"kind"`
	// Points are its data points, one per set of labels.
	Points []Point `json:"points"`
}

// Point is one data point of a [Metric].
type Point struct {
	// Labels are the point's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// Value is a counter's or gauge's value; for a histogram, its count.
	Value float64 `json:"value"`
	// Histogram holds a histogram's distribution.
	Histogram *Histogram `json:"histogram,omitempty"`
}

// Histogram is the distribution of a histogram point. The percentiles are
// estimated from the buckets by linear interpolation within the bucket
// that holds the rank (as PromQL's histogram_quantile does), so their
// precision is that of the buckets; a rank in the +Inf bucket is reported
// as the highest finite bound.
type Histogram struct {
	Count uint64  `json:"count"`
	Sum   float64 `json:"sum"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
}

// TakeSnapshot gathers g (a *prometheus.Registry, or
// prometheus.DefaultGatherer) and returns its metrics as a Snapshot. The
// gatherer's error is returned with whatever it did gather.
func TakeSnapshot(g prometheus.Gatherer) (Snapshot, error) {
	fams, err := g.Gather()
	s := Snapshot{Taken: time.Now().UTC()}
	for _, f := range fams {
		m := Metric{Name: f.GetName(), Help: f.GetHelp(), Kind: kindOf(f.GetType())}
		for _, p := range f.GetMetric() {
			pt := Point{}
			if len(p.GetLabel()) > 0 {
				pt.Labels = make(map[string]string, len(p.GetLabel()))
				for _, l := range p.GetLabel() {
					pt.Labels[l.GetName()] = l.GetValue()
				}
			}
			switch {
			case p.Counter != nil:
				pt.Value = p.GetCounter().GetValue()
			case p.Gauge != nil:
				pt.Value = p.GetGauge().GetValue()
			case p.Untyped != nil:
				pt.Value = p.GetUntyped().GetValue()
			case p.Summary != nil:
				pt.Value = float64(p.GetSummary().GetSampleCount())
			case p.Histogram != nil:
				h := histogramOf(p.GetHistogram())
				pt.Value, pt.Histogram = float64(h.Count), &h
			}
			m.Points = append(m.Points, pt)
		}
		s.Metrics = append(s.Metrics, m)
	}
	slices.SortFunc(s.Metrics, func(a, b Metric) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return s, err
}

// Metric returns the metric family named name and true, or false.
func (s Snapshot) Metric(name string) (Metric, bool) {
	for _, m := range s.Metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// Point returns the first point whose labels include every key and value
// of labels (key, value, key, value...), and true; or false. It panics if
// labels has an odd length.
func (m Metric) Point(labels ...string) (Point, bool) {
	if len(labels)%2 != 0 {
		panic("metrics.Metric.Point: labels must be key, value pairs")
	}
next:
	for _, p := range m.Points {
		for i := 0; i < len(labels); i += 2 {
			if v, ok := p.Labels[labels[i]]; !ok || v != labels[i+1] {
				continue next
			}
		}
		return p, true
	}
	return Point{}, false
}

func kindOf(t dto.MetricType) string {
	switch t {
	case dto.MetricType_COUNTER:
		return "counter"
	case dto.MetricType_GAUGE:
		return "gauge"
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		return "histogram"
	case dto.MetricType_SUMMARY:
		return "summary"
	}
	return "untyped"
}

func histogramOf(h *dto.Histogram) Histogram {
	out := Histogram{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	var bounds []float64
	var cum []uint64
	for _, b := range h.GetBucket() {
		if math.IsInf(b.GetUpperBound(), 1) {
			break
		}
		bounds = append(bounds, b.GetUpperBound())
		cum = append(cum, b.GetCumulativeCount())
	}
	out.setPercentiles(bounds, cum)
	return out
}

// setPercentiles sets h's percentiles from the finite upper bounds of its
// buckets and their cumulative counts; h.Count is the total.
func (h *Histogram) setPercentiles(bounds []float64, cum []uint64) {
	q := func(p float64) float64 { return quantile(p, h.Count, bounds, cum) }
	h.P50, h.P90, h.P95, h.P99 = q(0.5), q(0.9), q(0.95), q(0.99)
}

// quantile estimates the p-quantile of total observations from the
// cumulative counts cum of the buckets whose finite upper bounds are
// bounds; the first bucket's lower bound is 0.
func quantile(p float64, total uint64, bounds []float64, cum []uint64) float64 {
	if total == 0 {
		return 0
	}
	rank := p * float64(total)
	lower, below := 0.0, uint64(0)
	for i, upper := range bounds {
		c := cum[i]
		if float64(c) >= rank {
			if c == below {
				return upper
			}
			return lower + (upper-lower)*(rank-float64(below))/float64(c-below)
		}
		lower, below = upper, c
	}
	return lower // the rank is in the +Inf bucket: the highest finite bound
}
