// Package registry is the small name → implementation table behind
// Fovea's pluggable parts (camera schemes, inference engines): backends
// register in init functions, callers look them up by name.
package registry

import (
	"sort"
	"sync"
)

// Registry maps names to values of one kind. The zero value is not ready:
// use New.
type Registry[T any] struct {
	kind string // "camera scheme", "inference engine": for panics

	mu sync.RWMutex
	m  map[string]T // guarded by mu
}

// New returns an empty registry; kind names what it holds.
func New[T any](kind string) *Registry[T] {
	return &Registry[T]{kind: kind, m: map[string]T{}}
}

// Register adds v under name. It panics on a duplicate: registration
// happens in init functions, where a clash is a programming error.
func (r *Registry[T]) Register(name string, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.m[name]; dup {
		panic("registry: " + r.kind + " " + name + " registered twice")
	}
	r.m[name] = v
}

// Lookup returns the value registered under name.
func (r *Registry[T]) Lookup(name string) (T, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	v, ok := r.m[name]
	return v, ok
}

// Names lists the registered names, sorted.
func (r *Registry[T]) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.m))
	for n := range r.m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
