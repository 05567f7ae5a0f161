package imgio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/bmp"
)

func encoded(t testing.TB) map[string][]byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	out := map[string][]byte{}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	out["png"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	out["jpeg"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := bmp.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	out["bmp"] = append([]byte(nil), b.Bytes()...)
	return out
}

func TestDecode(t *testing.T) {
	for name, data := range encoded(t) {
		t.Run(name, func(t *testing.T) {
			img, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode(%s) = %v", name, err)
			}
			if b := img.Bounds(); b.Dx() != 8 || b.Dy() != 6 {
				t.Errorf("Decode(%s) bounds = %v; want 8x6", name, b)
			}
			if _, err := Decode(data[:len(data)/2]); err == nil {
				t.Errorf("Decode(truncated %s) = nil error; want an error", name)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	if _, err := Decode([]byte("GIF89a not supported")); !errors.Is(err, ErrFormat) {
		t.Errorf("Decode(gif) = %v; want ErrFormat", err)
	}
	// A PNG header claiming 70000x70000 pixels must be refused before any
	// pixel buffer is allocated.
	data := encoded(t)["png"]
	huge := append([]byte(nil), data...)
	// IHDR width/height are at bytes 16..24, followed by the chunk CRC.
	copy(huge[16:24], []byte{0, 1, 0x11, 0x70, 0, 1, 0x11, 0x70})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	if _, err := Decode(huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Decode(70000x70000 png) = %v; want ErrTooLarge", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, data := range encoded(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Decode(data)
		if err == nil && img == nil {
			t.Fatal("Decode returned nil image and nil error")
		}
	})
}
