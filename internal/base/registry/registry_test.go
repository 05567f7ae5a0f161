package registry

import (
	"reflect"
	"testing"
)

func TestRegistry(t *testing.T) {
	r := New[int]("number")
	r.Register("two", 2)
	r.Register("one", 1)
	if v, ok := r.Lookup("two"); !ok || v != 2 {
		t.Errorf("Lookup(two) = %d, %v; want 2, true", v, ok)
	}
	if v, ok := r.Lookup("three"); ok || v != 0 {
		t.Errorf("Lookup(three) = %d, %v; want 0, false", v, ok)
	}
	if got, want := r.Names(), []string{"one", "two"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v; want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Register of a duplicate name did not panic")
		}
	}()
	r.Register("one", 11)
}
