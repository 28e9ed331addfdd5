package label

import (
	"errors"
	"fmt"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/draw"
)

// ErrNoQR is returned by ReadQR when no QR code could be found or decoded.
var ErrNoQR = errors.New("no readable QR code found in the image")

// maxScanSide is the longest side ReadQR scans at; larger pictures (a
// phone's 12-megapixel photo) are scaled down first, which the decoder
// finds faster and no less reliably.
const maxScanSide = 2000

// ReadQR finds the QR code in a picture of a label — a scan, a photo, a
// render — and returns the text it encodes. It tries the local-threshold
// binarizer first (uneven light), then a global one (blur), and inverted
// pictures last. Errors: ErrNoQR (wrapped) when none is found.
func ReadQR(img image.Image) (string, error) {
	if b := img.Bounds(); max(b.Dx(), b.Dy()) > maxScanSide {
		s := float64(maxScanSide) / float64(max(b.Dx(), b.Dy()))
		small := image.NewGray(image.Rect(0, 0, int(float64(b.Dx())*s), int(float64(b.Dy())*s)))
		draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
		img = small
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	var last error
	for _, ls := range []gozxing.LuminanceSource{src, src.Invert()} {
		for _, bin := range []gozxing.Binarizer{gozxing.NewHybridBinarizer(ls), gozxing.NewGlobalHistgramBinarizer(ls)} {
			bmp, err := gozxing.NewBinaryBitmap(bin)
			if err != nil {
				return "", err
			}
			res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
			if err == nil {
				return res.GetText(), nil
			}
			last = err
		}
	}
	return "", fmt.Errorf("%w (%v)", ErrNoQR, last)
}
