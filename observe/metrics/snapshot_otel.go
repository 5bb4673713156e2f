package metrics

import (
	"math"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// SnapshotOf returns the metrics that an OpenTelemetry reader collected
// (a ManualReader's Collect, or what an exporter receives) as a
// [Snapshot], the same plain data as [TakeSnapshot] makes from a
// Prometheus gatherer: a monotonic sum is a "counter", any other sum or a
// gauge a "gauge", a histogram (explicit or exponential) a "histogram"
// with its p50, p90, p95 and p99, and a summary a "summary". Attributes
// become labels, the value of each as text. Metrics are sorted by name;
// when two scopes export the same name, both are kept. Percentiles of an
// exponential histogram are estimated from its zero and positive buckets
// only (durations and sizes are never negative). Taken is the time of
// the call.
func SnapshotOf(rm *metricdata.ResourceMetrics) Snapshot {
	s := Snapshot{Taken: time.Now().UTC()}
	if rm == nil {
		return s
	}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			m := Metric{Name: md.Name, Help: md.Description}
			switch d := md.Data.(type) {
			case metricdata.Sum[int64]:
				m.Kind, m.Points = sumKind(d.IsMonotonic), numberPoints(d.DataPoints)
			case metricdata.Sum[float64]:
				m.Kind, m.Points = sumKind(d.IsMonotonic), numberPoints(d.DataPoints)
			case metricdata.Gauge[int64]:
				m.Kind, m.Points = "gauge", numberPoints(d.DataPoints)
			case metricdata.Gauge[float64]:
				m.Kind, m.Points = "gauge", numberPoints(d.DataPoints)
			case metricdata.Histogram[int64]:
				m.Kind, m.Points = "histogram", histogramPoints(d.DataPoints)
			case metricdata.Histogram[float64]:
				m.Kind, m.Points = "histogram", histogramPoints(d.DataPoints)
			case metricdata.ExponentialHistogram[int64]:
				m.Kind, m.Points = "histogram", expPoints(d.DataPoints)
			case metricdata.ExponentialHistogram[float64]:
				m.Kind, m.Points = "histogram", expPoints(d.DataPoints)
			case metricdata.Summary:
				m.Kind = "summary"
				for _, dp := range d.DataPoints {
					m.Points = append(m.Points, Point{Labels: labelsOf(dp.Attributes), Value: float64(dp.Count)})
				}
			default:
				m.Kind = "untyped"
			}
			s.Metrics = append(s.Metrics, m)
		}
	}
	slices.SortStableFunc(s.Metrics, func(a, b Metric) int { return strings.Compare(a.Name, b.Name) })
	return s
}

func sumKind(monotonic bool) string {
	if monotonic {
		return "counter"
	}
	return "gauge"
}

func labelsOf(set attribute.Set) map[string]string {
	if set.Len() == 0 {
		return nil
	}
	out := make(map[string]string, set.Len())
	for it := set.Iter(); it.Next(); {
		kv := it.Attribute()
		out[string(kv.Key)] = kv.Value.String()
	}
	return out
}

func numberPoints[N int64 | float64](dps []metricdata.DataPoint[N]) []Point {
	out := make([]Point, 0, len(dps))
	for _, dp := range dps {
		out = append(out, Point{Labels: labelsOf(dp.Attributes), Value: float64(dp.Value)})
	}
	return out
}

func histogramPoints[N int64 | float64](dps []metricdata.HistogramDataPoint[N]) []Point {
	out := make([]Point, 0, len(dps))
	for _, dp := range dps {
		h := Histogram{Count: dp.Count, Sum: float64(dp.Sum)}
		cum := make([]uint64, len(dp.Bounds))
		var c uint64
		for i := range dp.Bounds {
			if i < len(dp.BucketCounts) {
				c += dp.BucketCounts[i]
			}
			cum[i] = c
		}
		h.setPercentiles(dp.Bounds, cum)
		out = append(out, Point{Labels: labelsOf(dp.Attributes), Value: float64(h.Count), Histogram: &h})
	}
	return out
}

func expPoints[N int64 | float64](dps []metricdata.ExponentialHistogramDataPoint[N]) []Point {
	out := make([]Point, 0, len(dps))
	for _, dp := range dps {
		h := Histogram{Count: dp.Count, Sum: float64(dp.Sum)}
		// Bucket index i covers (base^i, base^(i+1)], base = 2^(2^-scale);
		// the zero bucket is taken as (0, base^offset].
		base := math.Exp2(math.Exp2(-float64(dp.Scale)))
		off := dp.PositiveBucket.Offset
		bounds := []float64{math.Pow(base, float64(off))}
		cum := []uint64{dp.ZeroCount}
		c := dp.ZeroCount
		for i, n := range dp.PositiveBucket.Counts {
			c += n
			bounds = append(bounds, math.Pow(base, float64(off)+float64(i)+1))
			cum = append(cum, c)
		}
		h.setPercentiles(bounds, cum)
		out = append(out, Point{Labels: labelsOf(dp.Attributes), Value: float64(h.Count), Histogram: &h})
	}
	return out
}
