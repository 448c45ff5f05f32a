package course

import (
	"context"
	"errors"
)

var errTodo = errors.New("course: experiment not written yet")

func runAncestral(ctx context.Context, cfg Config, p Progress) (*Result, error)  { return nil, errTodo }
func runReschedule(ctx context.Context, cfg Config, p Progress) (*Result, error) { return nil, errTodo }
func runParametrisations(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return nil, errTodo
}
func runConditional(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return nil, errTodo
}
func runClassifierGuidance(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return nil, errTodo
}
func runCFG(ctx context.Context, cfg Config, p Progress) (*Result, error) { return nil, errTodo }
func runDeterministic(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return nil, errTodo
}
func runLangevin(ctx context.Context, cfg Config, p Progress) (*Result, error) { return nil, errTodo }
func runMemorisation(ctx context.Context, cfg Config, p Progress) (*Result, error) {
	return nil, errTodo
}
