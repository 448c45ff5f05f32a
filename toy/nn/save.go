// Saving and loading models and classifiers.
//
// File format, version 2 (integers little-endian):
//
//	magic    8 bytes  "DTOYNN\r\n"
//	version  uint32   2
//	hlen     uint32   length of the header
//	header   hlen bytes of JSON: {"kind": "denoiser" | "classifier",
//	         "dim", "hidden", "act", "time_features", "time", "classes",
//	         "pred", "x_features", "sigma_data", "float64", "params" (count), "schedule": null |
//	         {"name", "betas"}}
//	params   params x float64 (IEEE 754 bits): the MLP's Params
//	crc      uint32   CRC-32 (IEEE) of every byte before it
//
// The schedule is stored by its betas (JSON numbers round-trip float64
// exactly), so a loaded model denoises bit for bit like the saved one.
// Version 2 added "x_features" and "sigma_data"; a version 1 file is
// rejected as an unsupported version.

package nn

import (
	"bytes"
	"difftoy/internal/atomicfile"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"difftoy/toy"
)

const (
	fileMagic   = "DTOYNN\r\n"
	fileVersion = 2
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
	XFeatures    int           `json:"x_features"`
	SigmaData    float64       `json:"sigma_data"`
	Float64      bool          `json:"float64"`
	Params       int           `json:"params"`
	Schedule     *fileSchedule `json:"schedule"`
}

func encode(w io.Writer, kind string, spec Spec, net *MLP, sched *toy.Schedule, f64 bool) (int64, error) {
	if err := checkFinite(net.Params); err != nil {
		return 0, fmt.Errorf("%w; a diverged model is not saved", err)
	}
	h := fileHeader{Kind: kind, Dim: spec.Dim, Hidden: spec.Hidden, Act: spec.Act.String(),
		TimeFeatures: spec.TimeFeatures, Time: spec.Time.String(), Classes: spec.Classes,
		Pred: spec.Pred.String(), XFeatures: spec.XFeatures, SigmaData: spec.SigmaData, Float64: f64, Params: len(net.Params)}
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

// decode reads a file written by encode holding a kind ("denoiser" or
// "classifier"). Magic, version and header length come first and are
// checked before anything else is read; then the header, then only as many
// bytes as the header declares (so a huge or endless input costs nothing
// more). A read error of r is returned as it is; every other error wraps
// ErrFormat.
func decode(r io.Reader, kind string) (*fileHeader, Spec, *MLP, *toy.Schedule, error) {
	var buf bytes.Buffer
	hlen, err := readPrefix(&buf, r)
	if err != nil {
		return nil, Spec{}, nil, nil, err
	}
	h, err := readHeader(&buf, r, hlen)
	if err != nil {
		return nil, Spec{}, nil, nil, err
	}
	spec, sizes, err := headerSpec(h, kind)
	if err != nil {
		return nil, Spec{}, nil, nil, err
	}
	np := numParams(sizes)
	if np != h.Params || np < 0 || np > maxParams {
		return nil, Spec{}, nil, nil, formatErr("header says %d parameters, the architecture has %d", h.Params, np)
	}
	if err := readChecked(&buf, r, hlen, np); err != nil {
		return nil, Spec{}, nil, nil, err
	}
	net := &MLP{Sizes: sizes, Act: spec.Act}
	if net.Params, err = decodeParams(buf.Bytes()[16+hlen:], np); err != nil {
		return nil, Spec{}, nil, nil, err
	}
	sched, err := headerSchedule(h, spec)
	if err != nil {
		return nil, Spec{}, nil, nil, err
	}
	return h, spec, net, sched, nil
}

// formatErr is an error wrapping ErrFormat.
func formatErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
}

// readPrefix reads the 16 bytes of magic, version and header length into
// buf, checks them and returns the header length.
func readPrefix(buf *bytes.Buffer, r io.Reader) (hlen int, err error) {
	if ok, err := readN(buf, r, 16); err != nil {
		return 0, err
	} else if !ok {
		return 0, formatErr("%d bytes is too short", buf.Len())
	}
	data := buf.Bytes()
	if string(data[:8]) != fileMagic {
		return 0, formatErr("not a difftoy model file (bad magic)")
	}
	if version := binary.LittleEndian.Uint32(data[8:]); version != fileVersion {
		return 0, formatErr("unsupported version %d (this build reads version %d) or corrupt file", version, fileVersion)
	}
	hlen = int(binary.LittleEndian.Uint32(data[12:]))
	if hlen > maxHeader {
		return 0, formatErr("header length %d is above the limit %d", hlen, maxHeader)
	}
	return hlen, nil
}

// readHeader appends the hlen bytes of the JSON header to buf and decodes
// them: no unknown field, nothing after the object.
func readHeader(buf *bytes.Buffer, r io.Reader, hlen int) (*fileHeader, error) {
	if ok, err := readN(buf, r, int64(hlen)); err != nil {
		return nil, err
	} else if !ok {
		return nil, formatErr("the file ends inside the header (%d of %d bytes)", buf.Len()-16, hlen)
	}
	var h fileHeader
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()[16 : 16+hlen]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		// The header locates the checksum, so a corrupt one cannot be
		// told from a foreign file by it.
		return nil, formatErr("corrupt header (the checksum cannot be located without it): %v", err)
	}
	if rest := hlen - int(dec.InputOffset()); rest != 0 {
		return nil, formatErr("header: %d bytes after the JSON object inside the declared length %d", rest, hlen)
	}
	return &h, nil
}

// headerSpec is the Spec the header describes, checked for a file of the
// given kind, and the layer sizes of its MLP.
func headerSpec(h *fileHeader, kind string) (Spec, []int, error) {
	if h.Kind != kind {
		return Spec{}, nil, formatErr("file holds a %q, want a %q", h.Kind, kind)
	}
	spec := Spec{Dim: h.Dim, Hidden: h.Hidden, TimeFeatures: h.TimeFeatures, Classes: h.Classes,
		XFeatures: h.XFeatures, SigmaData: h.SigmaData}
	var err error
	if spec.Act, err = ParseActivation(h.Act); err != nil {
		return Spec{}, nil, formatErr("%v", err)
	}
	if spec.Time, err = ParseTimeInput(h.Time); err != nil {
		return Spec{}, nil, formatErr("%v", err)
	}
	if spec.Pred, err = ParsePred(h.Pred); err != nil {
		return Spec{}, nil, formatErr("%v", err)
	}
	if err := spec.validate(); err != nil {
		return Spec{}, nil, formatErr("%v", err)
	}
	if spec.Dim > 1<<20 || spec.TimeFeatures > 1<<20 || spec.Classes > 1<<20 || len(spec.Hidden) > 1<<10 {
		return Spec{}, nil, formatErr("implausible sizes")
	}
	var sizes []int
	if kind == "classifier" {
		if spec.Classes < 2 {
			return Spec{}, nil, formatErr("classifier with %d classes", spec.Classes)
		}
		sizes = append(append([]int{spec.Dim + spec.TimeFeatures}, spec.Hidden...), spec.Classes)
	} else {
		sizes = spec.sizes()
	}
	for _, s := range spec.Hidden {
		if s > 1<<20 {
			return Spec{}, nil, formatErr("implausible width %d", s)
		}
	}
	return spec, sizes, nil
}

// readChecked appends the np parameters and the checksum to buf (which
// holds the prefix and the hlen bytes of header), refuses data after them
// and checks the checksum of everything before it.
func readChecked(buf *bytes.Buffer, r io.Reader, hlen, np int) error {
	if ok, err := readN(buf, r, int64(8*np+4)); err != nil {
		return err
	} else if !ok {
		return formatErr("%d bytes of parameters and checksum, want %d (truncated file)", buf.Len()-16-hlen, 8*np+4)
	}
	if n, _ := io.ReadFull(r, make([]byte, 1)); n != 0 {
		return formatErr("data after the checksum")
	}
	data := buf.Bytes()
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return formatErr("checksum mismatch (corrupt file)")
	}
	return nil
}

// decodeParams reads np float64 values from their IEEE 754 bits in data;
// a NaN or infinity is an error (a diverged model).
func decodeParams(data []byte, np int) ([]float64, error) {
	params := make([]float64, np)
	for i := range params {
		v := math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, formatErr("parameter %d is %v (a diverged model)", i, v)
		}
		params[i] = v
	}
	return params, nil
}

// headerSchedule is the schedule stored in the header, if any; a
// step-time model must have one.
func headerSchedule(h *fileHeader, spec Spec) (*toy.Schedule, error) {
	var sched *toy.Schedule
	if h.Schedule != nil {
		var err error
		if sched, err = toy.FromBetas(h.Schedule.Name, h.Schedule.Betas); err != nil {
			return nil, formatErr("schedule: %v", err)
		}
	}
	if spec.Time == TimeStep && sched == nil {
		return nil, formatErr("a step-time model without its schedule")
	}
	return sched, nil
}

// ErrDiverged is wrapped by the error of a training run whose loss or
// parameters became NaN or infinite, and by that of Save or WriteTo for
// such a network: it would load and then denoise to NaN.
var ErrDiverged = errors.New("nn: diverged (non-finite loss or parameter)")

// checkFinite returns an error wrapping ErrDiverged naming the first
// non-finite value of params.
func checkFinite(params []float64) error {
	for i, v := range params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: parameter %d is %v", ErrDiverged, i, v)
		}
	}
	return nil
}

// readN appends the next n bytes of r to buf, growing it as the bytes
// arrive (so a size declared by a file costs memory only when the file
// really holds it). ok is false when r ends first; err is any other read
// error.
func readN(buf *bytes.Buffer, r io.Reader, n int64) (ok bool, err error) {
	got, err := io.CopyN(buf, r, n)
	if err == io.EOF {
		return false, nil
	}
	return got == n, err
}

// WriteTo writes m in the file format above. A NaN or infinite parameter
// is an error wrapping ErrDiverged, and nothing is written.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	return encode(w, "denoiser", m.Spec, m.Net, m.Sched, m.Float64)
}

// ReadModel reads a model written by WriteTo or Save. A truncated, corrupt
// or wrong-version file, or one holding a non-finite parameter, gives an
// error wrapping ErrFormat. The magic, version and header are checked
// before anything else is read, and no more is read than the header
// declares (plus one byte, to refuse trailing data).
func ReadModel(r io.Reader) (*Model, error) {
	h, spec, net, sched, err := decode(r, "denoiser")
	if err != nil {
		return nil, err
	}
	return &Model{Spec: spec, Net: net, Sched: sched, Float64: h.Float64}, nil
}

// Save writes m to path atomically: to a temporary file in the same
// directory, synced, then renamed over path, so a crash leaves either the
// old file or the new one, never half of one. A model with a NaN or
// infinite parameter is not saved (ErrDiverged).
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

// saveAtomic writes through atomicfile: a reader of path sees the old file
// or the whole new one, readable like one written by os.WriteFile (0644).
func saveAtomic(path string, write func(io.Writer) (int64, error)) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := write(w)
		return err
	})
}
