// Deterministic parallel noise: per-chunk streams seeded before each loop.

package sample

import (
	"math/rand/v2"

	"difftoy/internal/par"
)

// grain is the number of particles per parallel chunk. It is a constant,
// so the chunks, and hence which stream draws which particle's noise, do
// not depend on GOMAXPROCS.
const grain = 256

// streams holds one random stream per chunk of a batch of n particles.
// reseed draws fresh seeds for every chunk from the caller's source, in
// chunk order, before the parallel loop; inside the loop chunk c draws
// only from stream c. The noise of a run is then a function of the seed
// alone, whatever the number of cores.
type streams struct {
	src  *rand.Rand
	pcg  []*rand.PCG
	rngs []*rand.Rand
}

func newStreams(n int, src rand.Source) *streams {
	c := par.Chunks(n, grain)
	s := &streams{src: rand.New(src), pcg: make([]*rand.PCG, c), rngs: make([]*rand.Rand, c)}
	for i := range s.pcg {
		s.pcg[i] = rand.NewPCG(0, 0)
		s.rngs[i] = rand.New(s.pcg[i])
	}
	return s
}

// reseed draws one pair of seeds per chunk from the caller's source.
func (s *streams) reseed() {
	for _, p := range s.pcg {
		p.Seed(s.src.Uint64(), s.src.Uint64())
	}
}

// chunk returns the stream of the chunk starting at particle lo.
func (s *streams) chunk(lo int) *rand.Rand { return s.rngs[lo/grain] }
