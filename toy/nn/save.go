// Saving and loading models and classifiers.
//
// File format, version 1 (integers little-endian):
//
//	magic    8 bytes  "DTOYNN\r\n"
//	version  uint32   1
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: {"kind": "denoiser" | "classifier",
//	         "dim", "hidden", "act", "time_features", "time", "classes",
//	         "pred", "float64", "params" (count), "schedule": null |
//	         {"name", "betas"}}
//	params   params x float64 (IEEE 754 bits): the MLP's Params
//	crc      uint32   CRC-32 (IEEE) of every byte before it
//
// The schedule is stored by its betas (JSON numbers round-trip float64
// exactly), so a loaded model denoises bit for bit like the saved one.

package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"

	"difftoy/toy"
)

const (
	fileMagic   = "DTOYNN\r\n"
	fileVersion = 1
	maxHeader   = 1 << 24 // 16 MiB: far above any real header
	maxParams   = 1 << 27 // 1 GiB of float64
)

// ErrFormat is wrapped by every error about a malformed model file.
var ErrFormat = errors.New("nn: malformed model file")

type fileSchedule struct {
	Name  string    `json:"name"`
	Betas []float64 `json:"betas"`
}

type fileHeader struct {
	Kind         string        `json:"kind"`
	Dim          int           `json:"dim"`
	Hidden       []int         `json:"hidden"`
	Act          string        `json:"act"`
	TimeFeatures int           `json:"time_features"`
	Time         string        `json:"time"`
	Classes      int           `json:"classes"`
	Pred         string        `json:"pred"`
	Float64      bool          `json:"float64"`
	Params       int           `json:"params"`
	Schedule     *fileSchedule `json:"schedule"`
}

func encode(w io.Writer, kind string, spec Spec, net *MLP, sched *toy.Schedule, f64 bool) (int64, error) {
	h := fileHeader{Kind: kind, Dim: spec.Dim, Hidden: spec.Hidden, Act: spec.Act.String(),
		TimeFeatures: spec.TimeFeatures, Time: spec.Time.String(), Classes: spec.Classes,
		Pred: spec.Pred.String(), Float64: f64, Params: len(net.Params)}
	if sched != nil {
		fs := &fileSchedule{Name: sched.Name, Betas: make([]float64, sched.T())}
		for t := 1; t <= sched.T(); t++ {
			fs.Betas[t-1] = sched.Beta(t)
		}
		h.Schedule = fs
	}
	hj, err := json.Marshal(h)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	binary.Write(&buf, binary.LittleEndian, uint32(fileVersion))
	binary.Write(&buf, binary.LittleEndian, uint32(len(hj)))
	buf.Write(hj)
	b := make([]byte, 8)
	for _, v := range net.Params {
		binary.LittleEndian.PutUint64(b, math.Float64bits(v))
		buf.Write(b)
	}
	binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	return buf.WriteTo(w)
}

func decode(r io.Reader, kind string) (*fileHeader, Spec, *MLP, *toy.Schedule, error) {
	fail := func(format string, a ...any) (*fileHeader, Spec, *MLP, *toy.Schedule, error) {
		return nil, Spec{}, nil, nil, fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
	}
	data, err := io.ReadAll(io.LimitReader(r, 8+8+maxHeader+8*maxParams+4+1))
	if err != nil {
		return nil, Spec{}, nil, nil, err
	}
	if len(data) < 8+8+4 {
		return fail("%d bytes is too short", len(data))
	}
	if string(data[:8]) != fileMagic {
		return fail("not a difftoy model file (bad magic)")
	}
	version := binary.LittleEndian.Uint32(data[8:])
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		if version != fileVersion {
			return fail("unsupported version %d (this build reads version %d) or corrupt file", version, fileVersion)
		}
		return fail("checksum mismatch (truncated or corrupt file)")
	}
	if version != fileVersion {
		return fail("unsupported version %d (this build reads version %d)", version, fileVersion)
	}
	hlen := int(binary.LittleEndian.Uint32(data[12:]))
	if hlen > maxHeader || 16+hlen > len(body) {
		return fail("header length %d exceeds the file", hlen)
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(data[16 : 16+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return fail("header: %v", err)
	}
	if h.Kind != kind {
		return fail("file holds a %q, want a %q", h.Kind, kind)
	}
	spec := Spec{Dim: h.Dim, Hidden: h.Hidden, TimeFeatures: h.TimeFeatures, Classes: h.Classes}
	if spec.Act, err = ParseActivation(h.Act); err != nil {
		return fail("%v", err)
	}
	if spec.Time, err = ParseTimeInput(h.Time); err != nil {
		return fail("%v", err)
	}
	if spec.Pred, err = ParsePred(h.Pred); err != nil {
		return fail("%v", err)
	}
	if err := spec.validate(); err != nil {
		return fail("%v", err)
	}
	if spec.Dim > 1<<20 || spec.TimeFeatures > 1<<20 || spec.Classes > 1<<20 || len(spec.Hidden) > 1<<10 {
		return fail("implausible sizes")
	}
	var sizes []int
	if kind == "classifier" {
		if spec.Classes < 2 {
			return fail("classifier with %d classes", spec.Classes)
		}
		sizes = append(append([]int{spec.Dim + spec.TimeFeatures}, spec.Hidden...), spec.Classes)
	} else {
		sizes = spec.sizes()
	}
	for _, s := range spec.Hidden {
		if s > 1<<20 {
			return fail("implausible width %d", s)
		}
	}
	np := numParams(sizes)
	if np != h.Params || np > maxParams {
		return fail("header says %d parameters, the architecture has %d", h.Params, np)
	}
	if len(body) != 16+hlen+8*np {
		return fail("%d bytes of parameters, want %d", len(body)-16-hlen, 8*np)
	}
	net := &MLP{Sizes: sizes, Act: spec.Act, Params: make([]float64, np)}
	for i := range net.Params {
		net.Params[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[16+hlen+8*i:]))
	}
	var sched *toy.Schedule
	if h.Schedule != nil {
		if sched, err = toy.FromBetas(h.Schedule.Name, h.Schedule.Betas); err != nil {
			return fail("schedule: %v", err)
		}
	}
	if spec.Time == TimeStep && sched == nil {
		return fail("a step-time model without its schedule")
	}
	return &h, spec, net, sched, nil
}

// WriteTo writes m in the file format above.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	return encode(w, "denoiser", m.Spec, m.Net, m.Sched, m.Float64)
}

// ReadModel reads a model written by WriteTo or Save. A truncated, corrupt
// or wrong-version file gives an error wrapping ErrFormat.
func ReadModel(r io.Reader) (*Model, error) {
	h, spec, net, sched, err := decode(r, "denoiser")
	if err != nil {
		return nil, err
	}
	return &Model{Spec: spec, Net: net, Sched: sched, Float64: h.Float64}, nil
}

// Save writes m to path atomically: to a temporary file in the same
// directory, synced, then renamed over path, so a crash leaves either the
// old file or the new one, never half of one.
func (m *Model) Save(path string) error { return saveAtomic(path, m.WriteTo) }

// LoadModel reads the model saved at path.
func LoadModel(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// WriteTo writes c in the file format above.
func (c *Classifier) WriteTo(w io.Writer) (int64, error) {
	return encode(w, "classifier", c.Spec, c.Net, c.Sched, c.Float64)
}

// ReadClassifier reads a classifier written by WriteTo or Save.
func ReadClassifier(r io.Reader) (*Classifier, error) {
	h, spec, net, sched, err := decode(r, "classifier")
	if err != nil {
		return nil, err
	}
	return &Classifier{Spec: spec, Net: net, Sched: sched, Float64: h.Float64}, nil
}

// Save writes c to path atomically (see Model.Save).
func (c *Classifier) Save(path string) error { return saveAtomic(path, c.WriteTo) }

// LoadClassifier reads the classifier saved at path.
func LoadClassifier(path string) (*Classifier, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ReadClassifier(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func saveAtomic(path string, write func(io.Writer) (int64, error)) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private (0600); a saved model is an
	// ordinary document, readable like one written by os.WriteFile(0644).
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if _, err = write(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
