package nn

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"difftoy/toy"
)

// modelBytes returns m as written by WriteTo.
func modelBytes(t testing.TB, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withCRC returns b with its last 4 bytes replaced by the CRC-32 of the
// bytes before them, as a writer would have stored it.
func withCRC(b []byte) []byte {
	b = append([]byte(nil), b...)
	if len(b) >= 4 {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	}
	return b
}

// countingReader reads from r and counts the bytes it hands out.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless reader of zero bytes (as /dev/zero).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestLoadReadsOnlyDeclared checks that ReadModel checks the 8-byte magic
// after reading 16 bytes (it used to read up to about 1 GiB of /dev/zero
// first), reads a header only up to its declared length, and stops one
// byte after the checksum of a valid file followed by endless data.
func TestLoadReadsOnlyDeclared(t *testing.T) {
	good := modelBytes(t, smallModel(t, TimeStep))
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	for _, tc := range []struct {
		name    string
		r       io.Reader
		maxRead int64
		wantErr string
	}{
		{"endless zeros", zeros{}, 16, "bad magic"},
		{"header of zeros", io.MultiReader(bytes.NewReader(good[:12]), bytes.NewReader([]byte{100, 0, 0, 0}), zeros{}), 16 + 100, "header"},
		{"header length above the limit", io.MultiReader(bytes.NewReader(good[:12]), bytes.NewReader(binary.LittleEndian.AppendUint32(nil, maxHeader+1)), zeros{}), 16, "header length 16777217 is above the limit"},
		{"valid file then endless zeros", io.MultiReader(bytes.NewReader(good), zeros{}), int64(len(good)) + 1, "data after the checksum"},
		{"header cut short", bytes.NewReader(good[:16+hlen/2]), int64(16 + hlen/2), "the file ends inside the header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &countingReader{r: tc.r}
			_, err := ReadModel(c)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ReadModel error = %v, want ErrFormat containing %q", err, tc.wantErr)
			}
			// bytes.Buffer.ReadFrom asks for at least 512 bytes at a time,
			// but the limit of io.CopyN caps every read at what is left.
			if c.n > tc.maxRead {
				t.Errorf("read %d bytes, want at most %d", c.n, tc.maxRead)
			}
		})
	}
	// The boundary: the valid file alone loads, having read all of it.
	c := &countingReader{r: bytes.NewReader(good)}
	if _, err := ReadModel(c); err != nil || c.n != int64(len(good)) {
		t.Errorf("valid file: read %d of %d bytes, err = %v", c.n, len(good), err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := LoadModel("/dev/zero"); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "bad magic") {
			t.Errorf("LoadModel(/dev/zero) error = %v, want bad magic", err)
		}
	}
}

// TestHeaderTrailingBytes checks that bytes after the header's JSON object
// but inside its declared length are an error even with a valid checksum;
// the boundary, the same header with its exact length, loads.
func TestHeaderTrailingBytes(t *testing.T) {
	good := modelBytes(t, smallModel(t, TimeLogSigma))
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	for _, tail := range []string{"garbage", " ", "{}"} {
		b := append([]byte(nil), good[:12]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(hlen+len(tail)))
		b = append(b, good[16:16+hlen]...)
		b = append(b, tail...)
		b = withCRC(append(b, good[16+hlen:]...))
		if _, err := ReadModel(bytes.NewReader(b)); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "after the JSON object") {
			t.Errorf("header followed by %q: err = %v, want ErrFormat naming the trailing bytes", tail, err)
		}
	}
	if _, err := ReadModel(bytes.NewReader(withCRC(good))); err != nil {
		t.Errorf("the exact header: %v", err)
	}
}

// TestNonFiniteParameters checks that Save refuses a model with a NaN or
// infinite parameter (leaving no file) and that a file holding one, with
// a valid checksum, is refused by LoadModel; the boundary, the largest
// finite float64, round-trips.
func TestNonFiniteParameters(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64} {
		m := smallModel(t, TimeLogSigma)
		m.Net.Params[3] = v
		path := filepath.Join(dir, "m.dtnn")
		os.Remove(path)
		err := m.Save(path)
		finite := !math.IsNaN(v) && !math.IsInf(v, 0)
		if finite {
			if err != nil {
				t.Fatalf("Save with parameter %v: %v", v, err)
			}
			l, err := LoadModel(path)
			if err != nil || l.Net.Params[3] != v {
				t.Errorf("LoadModel with parameter %v: %v", v, err)
			}
			continue
		}
		if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "parameter 3 is") {
			t.Errorf("Save with parameter %v: err = %v, want ErrDiverged naming parameter 3", v, err)
		}
		if _, serr := os.Stat(path); !os.IsNotExist(serr) {
			t.Errorf("Save with parameter %v left a file (stat: %v)", v, serr)
		}
		// The same model written past the check, as an older build did.
		m.Net.Params[3] = 1.5
		b := modelBytes(t, m)
		off := 16 + int(binary.LittleEndian.Uint32(b[12:])) + 8*3
		binary.LittleEndian.PutUint64(b[off:], math.Float64bits(v))
		if _, err := ReadModel(bytes.NewReader(withCRC(b))); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "parameter 3 is") {
			t.Errorf("ReadModel with parameter %v: err = %v, want ErrFormat naming parameter 3", v, err)
		}
	}
}

// TestTrainDivergence checks that a learning rate of 1e8 stops training
// with an error naming the step whose loss is not finite (it used to
// return nil with every parameter NaN), the history holding the steps
// before it; the boundary, the usual 2e-3, trains the same steps without
// error and with finite parameters.
func TestTrainDivergence(t *testing.T) {
	_, data := loadData(t, "eight-gaussians", 500)
	for _, lr := range []float64{1e8, 2e-3} {
		m := newSmall(t, PredEps, 0, TimeLogSigma)
		cfg := quickConfig(200)
		cfg.LR = lr
		h, err := Train(context.Background(), m, data, cfg, rand.NewPCG(1, 1))
		if lr == 2e-3 {
			if err != nil {
				t.Errorf("LR %v: %v", lr, err)
			}
			if err := checkFinite(m.Net.Params); err != nil {
				t.Errorf("LR %v: %v", lr, err)
			}
			continue
		}
		if !errors.Is(err, ErrDiverged) || !strings.Contains(err.Error(), "the batch loss of step ") {
			t.Fatalf("LR %v: err = %v, want ErrDiverged naming the step", lr, err)
		}
		k := len(h.Loss) + 1
		if !strings.Contains(err.Error(), "step "+strconv.Itoa(k)+" of 200") {
			t.Errorf("LR %v: err = %v, want step %d (after %d finite losses)", lr, err, k, len(h.Loss))
		}
		for i, l := range h.Loss {
			if math.IsNaN(l) || math.IsInf(l, 0) {
				t.Errorf("history loss %d = %v", i, l)
			}
		}
		t.Logf("LR %v: %v", lr, err)
	}
}

// tinyModelFiles returns the files of two small models (a 4-step
// schedule, a few parameters), the seeds of the loader's fuzz targets:
// small inputs keep each run, and the minimisation of each new input the
// fuzzer keeps, cheap (with a 1000-step schedule in the header it managed
// a few executions a minute).
func tinyModelFiles(f *testing.F) [][]byte {
	sched, err := toy.Linear(4, 0.1, 0.5)
	if err != nil {
		f.Fatal(err)
	}
	var files [][]byte
	for _, spec := range []Spec{
		{Dim: 2, Hidden: []int{3}, Act: SiLU, TimeFeatures: 2, Time: TimeStep, Classes: 2, Pred: PredV},
		{Dim: 2, Hidden: []int{2}, Act: ReLU, TimeFeatures: 2, Time: TimeLogSigma, Pred: PredX0},
	} {
		m, err := NewModel(spec, sched, rand.NewPCG(1, 1))
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, modelBytes(f, m))
	}
	return files
}

// FuzzReadModelCRC feeds ReadModel arbitrary bytes whose last 4 bytes are
// replaced by the CRC-32 of the rest, so the fuzzer explores past the
// checksum (FuzzReadModel, on raw bytes, mostly stops there). No input may
// panic; a model it accepts has finite parameters and writes back to a
// file that reads to the same model.
func FuzzReadModelCRC(f *testing.F) {
	for _, b := range tinyModelFiles(f) {
		f.Add(b)
	}
	f.Add([]byte(fileMagic))
	// This version, a 2-byte header "{}" and a CRC.
	prefix := binary.LittleEndian.AppendUint32([]byte(fileMagic), fileVersion)
	f.Add(append(binary.LittleEndian.AppendUint32(prefix, 2), "{}\x00\x00\x00\x00"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadModel(bytes.NewReader(withCRC(b)))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if err := checkFinite(m.Net.Params); err != nil {
			t.Fatalf("accepted: %v", err)
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatalf("WriteTo of an accepted model: %v", err)
		}
		l, err := ReadModel(&buf)
		if err != nil {
			t.Fatalf("reading back an accepted model: %v", err)
		}
		for i, v := range m.Net.Params {
			if math.Float64bits(l.Net.Params[i]) != math.Float64bits(v) {
				t.Fatalf("parameter %d: %v read back as %v", i, v, l.Net.Params[i])
			}
		}
	})
}

// TestLoadRefusesBadSchedule: a file whose schedule has alpha_1 = 1 in
// floating point (betas 1e-17, 0.5), with a valid checksum, is refused as
// toy.FromBetas refuses it (it used to load, and DDIM then panicked); the
// boundary, betas 1e-16, 0.5, loads.
func TestLoadRefusesBadSchedule(t *testing.T) {
	good := modelBytes(t, smallModel(t, TimeStep))
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	var h map[string]any
	if err := json.Unmarshal(good[16:16+hlen], &h); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		betas   []float64
		wantErr string
	}{
		{[]float64{1e-17, 0.5}, "alpha_1 = 1 in floating point"},
		{[]float64{1e-16, 0.5}, ""},
	} {
		h["schedule"] = map[string]any{"name": "given", "betas": tc.betas}
		hj, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		b := binary.LittleEndian.AppendUint32(append([]byte(nil), good[:12]...), uint32(len(hj)))
		b = withCRC(append(append(b, hj...), good[16+hlen:]...))
		_, err = ReadModel(bytes.NewReader(b))
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("betas %v: %v", tc.betas, err)
			}
		} else if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("betas %v: err = %v, want ErrFormat containing %q", tc.betas, err, tc.wantErr)
		}
	}
}
