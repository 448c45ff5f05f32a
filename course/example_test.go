package course_test

import (
	"fmt"

	"difftoy/course"
)

func ExampleLessons() {
	for _, l := range course.Lessons()[:3] {
		fmt.Println(l.ID, "|", l.Markdown, "|", l.Notebook)
	}
	// Output:
	// 01-forward-process | lessons/01-forward-process.md | notebooks/01-forward-process.ipynb
	// 02-ideal-denoiser | lessons/02-ideal-denoiser.md | notebooks/02-ideal-denoiser.ipynb
	// 03-training | lessons/03-training.md | notebooks/03-training.ipynb
}

func ExampleForward() {
	cfg := course.Config{Seed: 1, Quick: true}
	res, err := course.Forward(cfg, course.DefaultForward(cfg))
	if err != nil {
		panic(err)
	}
	half, _ := res.Number("linear/half_step")
	cos, _ := res.Number("cosine/half_step")
	fmt.Printf("alpha_t falls below 1/2 at t = %v (linear) and t = %v (cosine)\n", half, cos)
	// Output:
	// alpha_t falls below 1/2 at t = 260 (linear) and t = 497 (cosine)
}
