package attach

// The chunk layout of the STREAM construction: plaintext in ChunkSize
// pieces, each sealed on its own, so encryption streams with constant
// memory and a range download decrypts only the chunks it needs.

const (
	// ChunkSize is the plaintext size of every chunk but the last. 64 KiB
	// keeps a chunk in flight small (two chunks of memory per stream)
	// while the 16-byte tag costs 0.02 % and a 2 GiB file is 32,768 chunks.
	ChunkSize = 64 << 10

	// TagSize is the AES-GCM tag appended to every sealed chunk.
	TagSize = 16

	// SealedChunkSize is the ciphertext size of every chunk but the last.
	SealedChunkSize = ChunkSize + TagSize

	// MaxSize is the largest plaintext: 2 GiB, the document limit WhatsApp
	// sets and the relay's default cap. The format itself reaches 2^32
	// chunks (256 TiB); the cap keeps sizes in an int on every platform
	// and keeps a hostile pointer from promising a file no device can hold.
	MaxSize = 2 << 30

	// maxChunks is where the 32-bit counter in the nonce runs out.
	maxChunks = 1 << 32
)

// NumChunks is how many chunks a plaintext of size bytes makes: at least
// one, for the empty file is one empty chunk carrying the last-chunk flag.
func NumChunks(size uint64) uint64 {
	if size == 0 {
		return 1
	}
	return (size + ChunkSize - 1) / ChunkSize
}

// CiphertextSize is the exact blob size for a plaintext of size bytes. A
// download whose length differs from it is rejected before decrypting.
func CiphertextSize(size uint64) uint64 {
	return size + NumChunks(size)*TagSize
}

// chunkLen is the plaintext length of chunk i of a size-byte file.
func chunkLen(size, i uint64) int {
	if i+1 < NumChunks(size) {
		return ChunkSize
	}
	return int(size - i*ChunkSize)
}

// Range says which chunks cover a plaintext byte range and where they lie
// in the ciphertext. A range download fetches ciphertext bytes
// [CipherStart, CipherEnd), opens chunks FirstChunk to LastChunk with
// ChunkCipher.Open, and keeps plaintext from byte Skip of the first
// opened chunk for the requested length.
type Range struct {
	FirstChunk, LastChunk  uint64
	CipherStart, CipherEnd uint64
	Skip                   uint64
}

// ChunkRange maps the plaintext range [offset, offset+length) of a
// size-byte file to chunks and ciphertext offsets. length must be at least
// one and the range must lie inside the file, else ErrRange.
func ChunkRange(size, offset, length uint64) (Range, error) {
	if size > MaxSize {
		return Range{}, ErrTooLarge
	}
	if length == 0 || offset >= size || length > size-offset {
		return Range{}, ErrRange
	}
	first := offset / ChunkSize
	last := (offset + length - 1) / ChunkSize
	end := (last + 1) * SealedChunkSize
	if last == NumChunks(size)-1 {
		end = CiphertextSize(size)
	}
	return Range{
		FirstChunk:  first,
		LastChunk:   last,
		CipherStart: first * SealedChunkSize,
		CipherEnd:   end,
		Skip:        offset - first*ChunkSize,
	}, nil
}
