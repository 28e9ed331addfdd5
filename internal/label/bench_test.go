package label_test

import (
	"fmt"
	"io"
	"testing"

	qrcode "github.com/skip2/go-qrcode"

	"trustmark"
	"trustmark/internal/label"
)

// BenchmarkRender renders a different label every iteration (its own ID,
// so its own QR code: nothing is cached between labels) in every format
// and size; PNG at 300 dpi. Targets (docs/benchmarks.md), on one core
// (-cpu 1): ≥ 1,000 SVG labels/s and ≥ 200 PNG labels/s.
//
//	go test -run XXX -bench Render -cpu 1 -count 3 ./internal/label/
func BenchmarkRender(b *testing.B) {
	r, err := label.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]trustmark.LabelID, 1000)
	for i := range ids {
		ids[i] = trustmark.DeriveLabelID(fmt.Sprint("bench ", i))
	}
	for _, f := range label.Formats {
		for _, size := range label.Sizes {
			b.Run(fmt.Sprintf("%s/%s", f, size), func(b *testing.B) {
				o := label.Options{SupportDate: "2030-12-31", Size: size, Format: f}
				if f == label.PNG {
					o.DPI = 300
				}
				i := 0
				for b.Loop() {
					id := ids[i%len(ids)]
					i++
					o.LabelID, o.URL = id, label.URL("https://labels.example.org", id)
					if err := r.Render(io.Discard, o); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "labels/s")
			})
		}
	}
}

// BenchmarkQREncodeBaseline is the floor under every label, measured in the
// same run: the QR library alone encoding one URL (level Q, mask choice),
// without any drawing.
func BenchmarkQREncodeBaseline(b *testing.B) {
	i := 0
	for b.Loop() {
		id := trustmark.DeriveLabelID(fmt.Sprint("bench ", i%1000))
		i++
		q, err := qrcode.New(label.URL("https://labels.example.org", id), qrcode.High)
		if err != nil {
			b.Fatal(err)
		}
		q.DisableBorder = true
		_ = q.Bitmap()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "codes/s")
}
