package label_test

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/math/f64"

	"trustmark/internal/label"
)

// A picture of a label is rarely the render itself: these turn a render
// into what a camera or a scanner would see.

// transform rotates img by deg degrees and scales it by s, on a white
// background large enough to hold the result, with bilinear sampling.
func transform(img image.Image, deg, s float64) *image.RGBA {
	b := img.Bounds()
	rad := deg * math.Pi / 180
	cos, sin := math.Cos(rad)*s, math.Sin(rad)*s
	w, h := float64(b.Dx()), float64(b.Dy())
	outW := math.Abs(w*cos) + math.Abs(h*sin)
	outH := math.Abs(w*sin) + math.Abs(h*cos)
	pad := 40.0
	dst := image.NewRGBA(image.Rect(0, 0, int(outW+2*pad), int(outH+2*pad)))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	// Map the source's center to the destination's center.
	cx, cy := w/2, h/2
	dx, dy := float64(dst.Bounds().Dx())/2, float64(dst.Bounds().Dy())/2
	m := f64.Aff3{cos, -sin, dx - cos*cx + sin*cy, sin, cos, dy - sin*cx - cos*cy}
	xdraw.BiLinear.Transform(dst, m, img, b, xdraw.Over, nil)
	return dst
}

// blur applies a box blur of the given radius (in pixels) to the gray levels.
func blur(img image.Image, radius int) *image.Gray {
	b := img.Bounds()
	src := image.NewGray(b)
	draw.Draw(src, b, img, b.Min, draw.Src)
	tmp := image.NewGray(b)
	out := image.NewGray(b)
	pass := func(dst, from *image.Gray, horizontal bool) {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				sum, n := 0, 0
				for k := -radius; k <= radius; k++ {
					px, py := x, y
					if horizontal {
						px += k
					} else {
						py += k
					}
					if (image.Point{px, py}).In(b) {
						sum += int(from.GrayAt(px, py).Y)
						n++
					}
				}
				dst.SetGray(x, y, color.Gray{uint8(sum / n)})
			}
		}
	}
	pass(tmp, src, true)
	pass(out, tmp, false)
	return out
}

// dim lowers the contrast (ink at 60, paper at 200 of 255) and adds
// seeded noise, as a photo in poor light would.
func dim(img image.Image, noise int, seed uint64) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(b)
	draw.Draw(out, b, img, b.Min, draw.Src)
	rng := rand.New(rand.NewPCG(seed, seed))
	for i, v := range out.Pix {
		f := 60 + float64(v)*140/255 + float64(rng.IntN(2*noise+1)-noise)
		out.Pix[i] = uint8(max(0, min(255, f)))
	}
	return out
}

// TestReadQRFromPictures reads labels back from rotated, scaled, blurred
// and dimmed renders of every size.
func TestReadQRFromPictures(t *testing.T) {
	r := newRenderer(t)
	want := label.URL(testBase, testID)
	cases := []struct {
		name string
		edit func(image.Image) image.Image
	}{
		{"as rendered", func(m image.Image) image.Image { return m }},
		{"rotated 7°", func(m image.Image) image.Image { return transform(m, 7, 1) }},
		{"rotated 33°", func(m image.Image) image.Image { return transform(m, 33, 1) }},
		{"rotated 90°", func(m image.Image) image.Image { return transform(m, 90, 1) }},
		{"upside down", func(m image.Image) image.Image { return transform(m, 180, 1) }},
		{"rotated 250°", func(m image.Image) image.Image { return transform(m, 250, 1) }},
		{"scaled to 55%", func(m image.Image) image.Image { return transform(m, 0, 0.55) }},
		{"scaled to 170%", func(m image.Image) image.Image { return transform(m, 0, 1.7) }},
		{"blurred, radius 1", func(m image.Image) image.Image { return blur(m, 1) }},
		{"blurred, radius 2", func(m image.Image) image.Image { return blur(m, 2) }},
		{"rotated 20°, scaled to 70%, blurred", func(m image.Image) image.Image { return blur(transform(m, 20, 0.7), 1) }},
		{"dim and noisy, rotated 12°, blurred", func(m image.Image) image.Image { return dim(blur(transform(m, 12, 0.9), 1), 25, 1) }},
	}
	for _, size := range label.Sizes {
		png := render(t, r, label.Options{URL: want, LabelID: testID, SupportDate: "2030-12-31", Size: size, Format: label.PNG, DPI: 300})
		img := decodePNG(t, png)
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/%s", size, c.name), func(t *testing.T) {
				pic := c.edit(img)
				got, err := label.ReadQR(pic)
				if err != nil || got != want {
					t.Fatalf("ReadQR(%v picture) = %q, %v; want %q", pic.Bounds().Size(), got, err, want)
				}
			})
		}
	}
}

// TestReadQRNone checks the error for a picture without a QR code.
func TestReadQRNone(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	draw.Draw(blank, blank.Bounds(), image.White, image.Point{}, draw.Src)
	if got, err := label.ReadQR(blank); err == nil {
		t.Fatalf("ReadQR(blank) = %q, want ErrNoQR", got)
	}
}

// TestReadQRLargePhoto checks that a picture larger than a scan (a phone's
// photo, here 4000 px wide) is read.
func TestReadQRLargePhoto(t *testing.T) {
	r := newRenderer(t)
	want := label.URL(testBase, testID)
	img := decodePNG(t, render(t, r, label.Options{URL: want, LabelID: testID, Size: label.Large, Format: label.PNG, DPI: 1200}))
	pic := transform(img, 3, 1.8) // ≈ 4,000 px wide
	if got, err := label.ReadQR(pic); err != nil || got != want {
		t.Fatalf("ReadQR(%v) = %q, %v; want %q", pic.Bounds().Size(), got, err, want)
	}
}
