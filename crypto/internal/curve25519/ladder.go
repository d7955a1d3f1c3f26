package curve25519

// ScalarMult sets out = X25519(scalar, u), the function of RFC 7748
// section 5: the scalar is clamped (decodeScalar25519), bit 255 of u is
// ignored and u >= p is taken modulo p, and a low-order u gives all zeros,
// which callers refuse. It runs the Montgomery ladder over fieldElement in
// constant time: the scalar's bits only choose, by mask, whether to swap.
//
// Natively crypto/ecdh is faster and is what package crypto uses; under
// GOOS=js this is about twice as fast as crypto/ecdh (docs/PERFORMANCE.md,
// "X25519 under wasm"). out may alias scalar or u.
func ScalarMult(out, scalar, u *[32]byte) {
	var k [32]byte
	copy(k[:], scalar[:])
	k[0] &= 248
	k[31] &= 127
	k[31] |= 64

	// RFC 7748's variable names; x2 and z2 hold the running multiple,
	// x3 and z3 the one after it.
	var x1, x2, z2, x3, z3, aa, bb, da, cb, t fieldElement
	x1.setBytes(u)
	x2.one()
	x3 = x1
	z3.one()
	swap := int64(0)
	for pos := 254; pos >= 0; pos-- {
		bit := int64(k[pos>>3]>>(pos&7)) & 1
		swap ^= bit
		ladderSwap(&x2, &z2, &x3, &z3, swap)
		swap = bit

		// A = x2 + z2, B = x2 - z2, C = x3 + z3, D = x3 - z3 are folded into
		// the multiplications that use them.
		aa.sqAdd(&x2, &z2)               // AA = A²
		bb.sqSub(&x2, &z2)               // BB = B²
		da.mulSubAdd(&x3, &z3, &x2, &z2) // DA = D·A
		cb.mulAddSub(&x3, &z3, &x2, &z2) // CB = C·B
		x3.sqAdd(&da, &cb)               // x3 = (DA + CB)²
		t.sqSub(&da, &cb)                //
		z3.mul(&x1, &t)                  // z3 = x1·(DA - CB)²
		x2.mul(&aa, &bb)                 // x2 = AA·BB
		t.mulA24Sub(&aa, &bb)            // a24·E, E = AA - BB
		z2.mulSubAdd(&aa, &bb, &aa, &t)  // z2 = E·(AA + a24·E)
	}
	ladderSwap(&x2, &z2, &x3, &z3, swap)

	z2.invert(&z2) // 0 stays 0: a low-order u ends as all zeros
	x2.mul(&x2, &z2)
	x2.bytes(out)
	clear(k[:])
}

// ladderSwap is RFC 7748's cswap on both coordinates at once: it swaps
// (x2, z2) with (x3, z3) when swap is 1 and leaves them when it is 0, by
// mask, so the time and the memory touched are the same either way.
func ladderSwap(x2, z2, x3, z3 *fieldElement, swap int64) {
	mask := -swap
	for i := range x2 {
		t := mask & (x2[i] ^ x3[i])
		x2[i] ^= t
		x3[i] ^= t
		t = mask & (z2[i] ^ z3[i])
		z2[i] ^= t
		z3[i] ^= t
	}
}
