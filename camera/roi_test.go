package camera

import (
	"context"
	"errors"
	"image"
	"image/color"
	"testing"
)

// plainImage hides SubImage so that Crop takes its copying path.
type plainImage struct{ image.Image }

func TestCrop(t *testing.T) {
	rgba := image.NewRGBA(image.Rect(0, 0, 8, 6))
	rgba.Set(3, 2, color.RGBA{200, 100, 50, 255})
	gray := image.NewGray(image.Rect(0, 0, 8, 6))
	gray.SetGray(3, 2, color.Gray{77})
	ycc := image.NewYCbCr(image.Rect(0, 0, 8, 6), image.YCbCrSubsampleRatio420)
	offset := image.NewRGBA(image.Rect(10, 20, 18, 26)) // bounds not at the origin
	offset.Set(13, 22, color.RGBA{1, 2, 3, 255})

	tests := []struct {
		name    string
		img     image.Image
		roi     image.Rectangle
		want    image.Rectangle // bounds of the crop
		at      image.Point     // a pixel to compare with the original
		wantErr bool
	}{
		{"rgba inside", rgba, image.Rect(2, 1, 6, 5), image.Rect(2, 1, 6, 5), image.Pt(3, 2), false},
		{"gray inside", gray, image.Rect(3, 2, 4, 3), image.Rect(3, 2, 4, 3), image.Pt(3, 2), false},
		{"ycbcr clipped to frame", ycc, image.Rect(4, 4, 100, 100), image.Rect(4, 4, 8, 6), image.Pt(5, 5), false},
		{"offset bounds", offset, image.Rect(2, 1, 4, 3), image.Rect(12, 21, 14, 23), image.Pt(13, 22), false},
		{"copying path", plainImage{rgba}, image.Rect(2, 1, 6, 5), image.Rect(2, 1, 6, 5), image.Pt(3, 2), false},
		{"outside frame", rgba, image.Rect(20, 20, 30, 30), image.Rectangle{}, image.Point{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Crop(tt.img, tt.roi)
			if tt.wantErr {
				if !errors.Is(err, ErrPermanent) {
					t.Fatalf("Crop(%v) error = %v; want ErrPermanent", tt.roi, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Crop(%v) = %v", tt.roi, err)
			}
			if got.Bounds() != tt.want {
				t.Errorf("Crop(%v).Bounds() = %v; want %v", tt.roi, got.Bounds(), tt.want)
			}
			if a, b := color.RGBAModel.Convert(got.At(tt.at.X, tt.at.Y)), color.RGBAModel.Convert(tt.img.At(tt.at.X, tt.at.Y)); a != b {
				t.Errorf("pixel %v = %v; want %v", tt.at, a, b)
			}
		})
	}
}

func TestApply(t *testing.T) {
	ctx := context.Background()
	src := &scripted{script: frames(3)}
	if got := Apply(src, Options{}); got != Source(src) {
		t.Fatalf("Apply with zero options = %T; want the source itself", got)
	}
	s := Apply(src, Options{ROI: image.Rect(1, 1, 3, 2), FPS: 1000})
	f, err := s.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Image.Bounds() != image.Rect(1, 1, 3, 2) || f.Seq != 1 {
		t.Errorf("frame bounds %v seq %d; want (1,1)-(3,2) seq 1", f.Image.Bounds(), f.Seq)
	}
	if err := s.Close(); err != nil || !src.closed.Load() {
		t.Errorf("Close = %v, source closed %v; want nil, true", err, src.closed.Load())
	}
	bad := Apply(&scripted{}, Options{ROI: image.Rect(50, 50, 60, 60)})
	if _, err := bad.Next(ctx); !errors.Is(err, ErrPermanent) {
		t.Errorf("Next with an ROI outside the frame = %v; want ErrPermanent", err)
	}
}
