package outbox

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestAckEverything empties the outbox in one Ack, which is what happens
// every time the syncer catches up. bbolt's Cursor.Last on a bucket emptied
// in the same transaction once made this hang while holding the write lock.
func TestAckEverything(t *testing.T) {
	for _, n := range []int{1, 10, 200, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			o := openTest(t, Options{})
			ctx := context.Background()
			var last uint64
			for i := range n {
				seq, err := o.Append(ctx, fmt.Appendf(nil, `{"i":%d}`, i))
				if err != nil {
					t.Fatal(err)
				}
				last = seq
			}
			done := make(chan error, 1)
			go func() { done <- o.Ack(last) }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Ack(%d) = %v", last, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("Ack(%d) of every record did not return", last)
			}
			st := o.Stats()
			if st.Count != 0 || st.OldestSeq != 0 || st.NewestSeq != 0 {
				t.Errorf("Stats after acking everything = %+v; want empty", st)
			}
			seq, err := o.Append(ctx, []byte(`{"after":true}`))
			if err != nil || seq != last+1 {
				t.Errorf("Append after emptying = (%d, %v); want (%d, nil)", seq, err, last+1)
			}
		})
	}
}
