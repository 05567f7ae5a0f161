package store

// Free returns the bytes available to this process on the file system of
// the models directory, or -1 where the platform cannot tell.
func (s *Store) Free() (int64, error) { return freeBytes(s.dir) }
