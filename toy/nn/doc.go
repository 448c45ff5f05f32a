// Package nn trains small denoisers and noisy classifiers for the 2-D toys:
// an MLP with forward and backward written out, time and class inputs, four
// parametrisations, Adam/AdamW with EMA, a seeded training loop that reports
// the error against the exact denoiser, and a versioned file format.
//
// # Objective
//
// The training objective (lessons/03-training.md sections 4 and 5) is
//
//	L = E_{x_0, t, eps} w_t || D_t(x_t) - x_0 ||^2,   x_t = sqrt(alpha_t) x_0 + sqrt(1 - alpha_t) eps,
//
// with t uniform on 1..T, minimised by D*_t(x) = E[x_0 | x_t = x]. Whether
// the network predicts x_0, eps, the scaled score or v (Pred), its output F
// is read as D = a(alpha) x + b(alpha) F, so every trained Model satisfies
// toy.Denoiser and a sampler cannot tell it from an exact mixture
// (lessons/06-parametrisations.md section 1). Weighting chooses w_t: each
// reading's own mean squared error (WeightSimple), the plain x_0 loss
// (WeightX0) or the ELBO weight B_t^2 / (2 C_t^2) (WeightELBO).
//
// # Model
//
// The MLP sees x_t, TimeFeatures sinusoidal features of u (u = log(sigma)/6
// with sigma = sqrt((1 - alpha)/alpha) for TimeLogSigma, so the model works
// on any schedule; u = 2t/T - 1 for TimeStep, so it is a toy.StepDenoiser of
// its training schedule and serves other schedules through toy.Reschedule),
// and for a conditional model a one-hot class with one extra slot for
// toy.Empty (the first layer's weights on it are the class embedding).
// Hidden layers use SiLU or ReLU.
//
// # Use
//
//	ds, _ := toy.Load("eight-gaussians", 4000, rand.NewPCG(1, 1))
//	m, _ := nn.NewModel(nn.DefaultSpec(2), toy.DDPM(), rand.NewPCG(2, 2))
//	hist, err := nn.Train(ctx, m, nn.FromDataset(ds), nn.DefaultConfig(), rand.NewPCG(3, 3))
//	// hist.Evals: error to D* per t; m is a toy.Denoiser; m.Save(path)
//
// A Classifier is trained with TrainClassifier; its Grad is
// grad_x log C_t(y | x_t) for classifier guidance
// (lessons/08-classifier-guidance.md sections 2 and 3), and a conditional
// Model trained with label dropout serves classifier-free guidance.
//
// # Arithmetic and speed
//
// Computation runs in float32 by default (float64 master weights and Adam
// state); Model.Float64 and Config.Float64 switch to float64. A batch is cut
// into at most four chunks that depend on the batch size only; chunks run
// in parallel and their gradients are summed in chunk order, so a seed gives
// the same model on any number of cores. The default build is plain Go;
// building with GOEXPERIMENT=simd on amd64 switches the float32 kernels to
// AVX2/AVX-512 (kernel_simd.go), which is several times faster, when the
// processor has AVX2 and FMA (checked at start-up; otherwise the scalar
// kernels run, and Kernels reports which are in use); its fused
// multiply-adds round differently, so the two builds agree to float32
// precision, not bit for bit.
package nn
