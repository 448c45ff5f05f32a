package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"difftoy/toy"
)

func smallModel(t testing.TB, time TimeInput) *Model {
	spec := Spec{Dim: 2, Hidden: []int{16, 16}, Act: SiLU, TimeFeatures: 8, Time: time, Classes: 3, Pred: PredV}
	m, err := NewModel(spec, toy.DDPM(), rand.NewPCG(9, 9))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSaveLoadIdentical saves, loads and checks that the loaded model
// gives bit-identical predictions (parameters and schedule round-trip
// exactly, so any difference is a bug).
func TestSaveLoadIdentical(t *testing.T) {
	for _, ti := range []TimeInput{TimeLogSigma, TimeStep} {
		m := smallModel(t, ti)
		path := filepath.Join(t.TempDir(), "m.dtnn")
		if err := m.Save(path); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil {
			t.Fatal(err)
		} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
			t.Errorf("saved file mode %v, want -rw-r--r--", fi.Mode().Perm())
		}
		l, err := LoadModel(path)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]float64, 2*100)
		for i := range x {
			x[i] = float64(i%17)/4 - 2
		}
		y := make([]int, 100)
		for i := range y {
			y[i] = i%4 - 1
		}
		for _, alpha := range []float64{0.01, 0.5, 0.99} {
			a, b := m.Denoise(nil, x, alpha, y), l.Denoise(nil, x, alpha, y)
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("%v: loaded model differs at %d: %v != %v", ti, i, b[i], a[i])
				}
			}
		}
		ents, _ := os.ReadDir(filepath.Dir(path))
		if len(ents) != 1 {
			t.Errorf("Save left %d files in its directory, want 1", len(ents))
		}
	}
	c, err := NewClassifier(Spec{Dim: 2, Hidden: []int{8}, Act: ReLU, TimeFeatures: 4, Classes: 3}, toy.DDPM(), rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	c.WriteTo(&buf)
	if _, err := ReadModel(bytes.NewReader(buf.Bytes())); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadModel of a classifier file: err = %v, want ErrFormat", err)
	}
	c2, err := ReadClassifier(&buf)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, -1, 2, 0.5}
	a, b := c.Probs(nil, x, 0.4), c2.Probs(nil, x, 0.4)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("loaded classifier differs")
		}
	}
}

// TestLoadBadFiles: truncations and single flipped bytes (at every byte
// near the start, then at growing strides) and a foreign version are errors wrapping ErrFormat, never panics.
func TestLoadBadFiles(t *testing.T) {
	var buf bytes.Buffer
	if _, err := smallModel(t, TimeStep).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for n := 0; n < len(good); n += 1 + n/50 {
		if _, err := ReadModel(bytes.NewReader(good[:n])); !errors.Is(err, ErrFormat) {
			t.Fatalf("truncated to %d of %d bytes: err = %v, want ErrFormat", n, len(good), err)
		}
	}
	for i := 0; i < len(good); i += 1 + i/100 {
		bad := append([]byte(nil), good...)
		bad[i] ^= 0x10
		if _, err := ReadModel(bytes.NewReader(bad)); !errors.Is(err, ErrFormat) {
			t.Fatalf("byte %d flipped: err = %v, want ErrFormat", i, err)
		}
	}
	// Version 1 (before x_features and sigma_data) and a future version 3
	// are both refused by name.
	for _, v := range []uint32{1, 3} {
		other := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(other[8:], v)
		binary.LittleEndian.PutUint32(other[len(other)-4:], crc32.ChecksumIEEE(other[:len(other)-4]))
		_, err := ReadModel(bytes.NewReader(other))
		if want := fmt.Sprintf("version %d", v); !errors.Is(err, ErrFormat) || !bytes.Contains([]byte(err.Error()), []byte(want)) {
			t.Errorf("%s file: err = %v, want an unsupported-version error", want, err)
		}
	}
	if _, err := LoadModel(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("LoadModel of a missing file gave no error")
	}
}

// FuzzReadModel: no input makes ReadModel panic.
func FuzzReadModel(f *testing.F) {
	for _, b := range tinyModelFiles(f) {
		f.Add(b)
	}
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(b))
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
	})
}

// TestFileLayout reads a written file by the format documented in save.go,
// independently of decode: magic, version 2, header length, a JSON header
// with the documented keys, the parameters as little-endian float64 bits
// in MLP order, and the CRC-32 of everything before it.
func TestFileLayout(t *testing.T) {
	m := smallModel(t, TimeStep)
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if string(b[:8]) != "DTOYNN\r\n" {
		t.Fatalf("magic %q", b[:8])
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != 2 {
		t.Fatalf("version %d, want 2", v)
	}
	hlen := int(binary.LittleEndian.Uint32(b[12:]))
	var h map[string]any
	if err := json.Unmarshal(b[16:16+hlen], &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	want := map[string]any{"kind": "denoiser", "dim": 2.0, "act": "silu", "time_features": 8.0,
		"time": "step", "classes": 3.0, "pred": "v", "x_features": 0.0, "sigma_data": 0.0, "float64": false, "params": float64(len(m.Net.Params))}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("header %q = %v, want %v", k, h[k], v)
		}
	}
	if fmt.Sprint(h["hidden"]) != "[16 16]" {
		t.Errorf("header hidden = %v, want [16 16]", h["hidden"])
	}
	s, _ := h["schedule"].(map[string]any)
	if betas, _ := s["betas"].([]any); len(betas) != m.Sched.T() || betas[0] != m.Sched.Beta(1) {
		t.Errorf("header schedule: %d betas starting %v, want %d starting %v", len(betas), betas[:1], m.Sched.T(), m.Sched.Beta(1))
	}
	off := 16 + hlen
	if len(b) != off+8*len(m.Net.Params)+4 {
		t.Fatalf("file of %d bytes, want %d", len(b), off+8*len(m.Net.Params)+4)
	}
	for i, v := range m.Net.Params {
		if got := math.Float64frombits(binary.LittleEndian.Uint64(b[off+8*i:])); got != v {
			t.Fatalf("parameter %d stored as %v, want %v", i, got, v)
		}
	}
	if sum := binary.LittleEndian.Uint32(b[len(b)-4:]); sum != crc32.ChecksumIEEE(b[:len(b)-4]) {
		t.Errorf("stored CRC %08x, want the CRC-32 of the bytes before it", sum)
	}
}
