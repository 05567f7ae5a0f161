package outbox

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// bbolt's on-disk format (v1.4, file format version 2), native byte order.
const (
	boltMagic         = 0xED0CDAED
	boltVersion       = 2
	pageHeaderSize    = 16 // id u64, flags u16, count u16, overflow u32
	elementSize       = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	metaSize          = 64 // magic, version, pageSize, flags u32; root, sequence, freelist, pgid, txid, checksum u64
	bucketHeaderSize  = 16 // root pgid u64, sequence u64
	branchPageFlag    = 0x01
	leafPageFlag      = 0x02
	freelistPageFlag  = 0x10
	bucketLeafFlag    = 0x01
	noFreelist        = ^uint64(0)
	maxTreeDepth      = 64
	minPageSize       = 512
	maxPageSize       = 1 << 20
	freelistCountFlag = 0xFFFF
)

var ne = binary.NativeEndian

// boltMeta is the part of a meta page verifyFile needs.
type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64
	txid     uint64
}

// parseMeta decodes the meta page at the start of b; ok is false when the
// magic, version or checksum is wrong.
func parseMeta(b []byte) (m boltMeta, ok bool) {
	if len(b) < pageHeaderSize+metaSize {
		return m, false
	}
	b = b[pageHeaderSize : pageHeaderSize+metaSize]
	h := fnv.New64a()
	h.Write(b[:56])
	if ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion || ne.Uint64(b[56:]) != h.Sum64() {
		return m, false
	}
	return boltMeta{
		pageSize: ne.Uint32(b[8:]),
		root:     ne.Uint64(b[16:]),
		freelist: ne.Uint64(b[32:]),
		pgid:     ne.Uint64(b[40:]),
		txid:     ne.Uint64(b[48:]),
	}, true
}

// verifyPath checks the bbolt file at path with verifyFile.
func verifyPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return verifyOpen(f)
}

func verifyOpen(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return verifyFile(f, fi.Size())
}

// lockAndVerify checks the file at path with verifyFile before bbolt opens
// it, holding the same flock bbolt will take (exclusive for a writer) so
// that no other process changes the file meanwhile; the lock is released
// before bbolt takes its own. A missing or empty file passes: bbolt
// creates it. A lock held past timeout returns bbolt's ErrTimeout.
func lockAndVerify(path string, exclusive bool, timeout time.Duration) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && exclusive {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := tryLock(f, exclusive)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return berrors.ErrTimeout
		}
		time.Sleep(50 * time.Millisecond)
	}
	return verifyOpen(f)
}

// verifyFile walks the pages of a bbolt file from the meta page bbolt will
// use, through every bucket's tree, and checks each page's bounds, type and
// identity. bbolt trusts these pages: a damaged file can send it round a
// cycle of branch pages forever or read past its memory map. verifyFile
// visits each page at most once, so it always ends, and returns an
// ErrCorrupt error for the first problem. A file with no valid meta page is
// left to bbolt, which reports it.
func verifyFile(r io.ReaderAt, size int64) error {
	v := &verifier{r: r, size: size}
	return v.run()
}

type verifier struct {
	r        io.ReaderAt
	size     int64
	meta     boltMeta
	pageSize int64
	seen     map[uint64]bool
}

func (v *verifier) run() error {
	head := make([]byte, pageHeaderSize+metaSize)
	m0, ok0 := boltMeta{}, false
	if _, err := v.r.ReadAt(head, 0); err == nil {
		m0, ok0 = parseMeta(head)
	}
	off := int64(os.Getpagesize())
	if ok0 {
		off = int64(m0.pageSize)
	}
	m1, ok1 := boltMeta{}, false
	if _, err := v.r.ReadAt(head, off); err == nil {
		m1, ok1 = parseMeta(head)
	}
	switch {
	case ok0 && (!ok1 || m0.txid >= m1.txid):
		v.meta = m0
	case ok1:
		v.meta = m1
	default:
		return nil
	}
	m := v.meta
	if m.pageSize < minPageSize || m.pageSize > maxPageSize || m.pageSize&(m.pageSize-1) != 0 {
		return v.errorf(0, "page size %d is not a power of two between %d and %d", m.pageSize, minPageSize, maxPageSize)
	}
	v.pageSize = int64(m.pageSize)
	if m.pgid < 2 || m.pgid > uint64(v.size/v.pageSize) {
		return v.errorf(0, "high-water mark of %d pages does not fit the %d-byte file", m.pgid, v.size)
	}
	v.seen = map[uint64]bool{0: true, 1: true}
	if m.freelist != noFreelist {
		if err := v.freelistPage(m.freelist); err != nil {
			return err
		}
	}
	return v.tree(m.root, 0)
}

func (v *verifier) errorf(pgid uint64, format string, args ...any) error {
	return fmt.Errorf("%w: page %d: %s", ErrCorrupt, pgid, fmt.Sprintf(format, args...))
}

// page reads page pgid with its overflow pages and marks them seen.
func (v *verifier) page(pgid uint64, wantFlags uint16) ([]byte, error) {
	if pgid < 2 || pgid >= v.meta.pgid {
		return nil, v.errorf(pgid, "page id outside 2..%d", v.meta.pgid-1)
	}
	head := make([]byte, pageHeaderSize)
	if _, err := v.r.ReadAt(head, int64(pgid)*v.pageSize); err != nil {
		return nil, v.errorf(pgid, "reading header: %v", err)
	}
	id, flags, overflow := ne.Uint64(head[0:]), ne.Uint16(head[8:]), uint64(ne.Uint32(head[12:]))
	if id != pgid {
		return nil, v.errorf(pgid, "header says it is page %d", id)
	}
	if flags != wantFlags && !(wantFlags == branchPageFlag && flags == leafPageFlag) {
		return nil, v.errorf(pgid, "flags %#x, want %#x", flags, wantFlags)
	}
	if pgid+overflow >= v.meta.pgid {
		return nil, v.errorf(pgid, "%d overflow pages run past the high-water mark %d", overflow, v.meta.pgid)
	}
	for p := pgid; p <= pgid+overflow; p++ {
		if v.seen[p] {
			return nil, v.errorf(pgid, "page %d is referenced twice", p)
		}
		v.seen[p] = true
	}
	b := make([]byte, int64(overflow+1)*v.pageSize)
	if _, err := v.r.ReadAt(b, int64(pgid)*v.pageSize); err != nil {
		return nil, v.errorf(pgid, "reading %d bytes: %v", len(b), err)
	}
	return b, nil
}

func (v *verifier) freelistPage(pgid uint64) error {
	b, err := v.page(pgid, freelistPageFlag)
	if err != nil {
		return err
	}
	count, start := uint64(ne.Uint16(b[10:])), uint64(pageHeaderSize)
	if count == freelistCountFlag {
		if len(b) < pageHeaderSize+8 {
			return v.errorf(pgid, "freelist page too short")
		}
		count, start = ne.Uint64(b[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > (uint64(len(b))-start)/8 {
		return v.errorf(pgid, "freelist of %d ids does not fit its %d bytes", count, len(b))
	}
	for i := range count {
		if id := ne.Uint64(b[start+8*i:]); id < 2 || id >= v.meta.pgid {
			return v.errorf(pgid, "free page id %d outside 2..%d", id, v.meta.pgid-1)
		}
	}
	return nil
}

// tree checks the B+tree rooted at page pgid.
func (v *verifier) tree(pgid uint64, depth int) error {
	if depth > maxTreeDepth {
		return v.errorf(pgid, "tree deeper than %d levels", maxTreeDepth)
	}
	b, err := v.page(pgid, branchPageFlag)
	if err != nil {
		return err
	}
	return v.node(pgid, b, depth)
}

// node checks the elements of a page held in b (a page read from the file
// or an inline bucket's page).
func (v *verifier) node(pgid uint64, b []byte, depth int) error {
	if len(b) < pageHeaderSize {
		return v.errorf(pgid, "page of %d bytes is shorter than its header", len(b))
	}
	flags, count := ne.Uint16(b[8:]), int(ne.Uint16(b[10:]))
	if pageHeaderSize+count*elementSize > len(b) {
		return v.errorf(pgid, "%d elements do not fit %d bytes", count, len(b))
	}
	if flags == branchPageFlag && count == 0 {
		return v.errorf(pgid, "branch page with no elements") // bbolt would follow element 0 anyway
	}
	var children []uint64
	for i := range count {
		e := pageHeaderSize + i*elementSize
		switch flags {
		case branchPageFlag:
			pos, ksize, child := uint64(ne.Uint32(b[e:])), uint64(ne.Uint32(b[e+4:])), ne.Uint64(b[e+8:])
			if uint64(e)+pos+ksize > uint64(len(b)) {
				return v.errorf(pgid, "branch element %d key runs past the page", i)
			}
			children = append(children, child)
		case leafPageFlag:
			eflags, pos, ksize, vsize := ne.Uint32(b[e:]), uint64(ne.Uint32(b[e+4:])), uint64(ne.Uint32(b[e+8:])), uint64(ne.Uint32(b[e+12:]))
			end := uint64(e) + pos + ksize + vsize
			if end > uint64(len(b)) {
				return v.errorf(pgid, "leaf element %d runs past the page", i)
			}
			if eflags&bucketLeafFlag == 0 {
				continue
			}
			val := b[uint64(e)+pos+ksize : end]
			if len(val) < bucketHeaderSize {
				return v.errorf(pgid, "bucket element %d is %d bytes, shorter than a bucket header", i, len(val))
			}
			if root := ne.Uint64(val); root != 0 {
				children = append(children, root)
			} else if depth >= maxTreeDepth {
				return v.errorf(pgid, "buckets nested deeper than %d levels", maxTreeDepth)
			} else if err := v.node(pgid, val[bucketHeaderSize:], depth+1); err != nil {
				return err
			}
		default:
			return v.errorf(pgid, "flags %#x: not a branch or leaf page", flags)
		}
	}
	for _, c := range children {
		if err := v.tree(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}
