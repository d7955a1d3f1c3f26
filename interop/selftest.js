'use strict';

// selftest.js checks the harness on its own, with no Go code involved: two
// libsignal-node peers talk through peer.handle (sessions with and without a
// one-time prekey, ratchet turns, out-of-order delivery, a duplicate and a
// tampered message refused without harming the session), and libsignal-client
// signs, verifies and computes safety numbers. Run: node interop/selftest.js

const assert = require('assert');
const crypto = require('crypto');
const {handle, ERR, MESSAGE_TYPE} = require('./peer');

async function call(req) {
	const resp = await handle(req);
	if (!resp.ok) {
		throw new Error(`${req.method}: ${resp.error}: ${resp.message}\n${(resp.log || []).join('\n')}`);
	}
	return resp;
}

const b64 = (b) => Buffer.from(b).toString('base64');
const text = (s) => b64(Buffer.from(s));
const addr = (name) => ({name, deviceId: 1});

async function send(from, to, msg) {
	const m = await call({method: 'encrypt', peer: from, address: addr(to), plaintext: text(msg)});
	return {from, to, msg, type: m.type, body: m.body};
}

async function deliver(m) {
	const r = await call({method: 'decrypt', peer: m.to, address: addr(m.from), type: m.type, body: m.body});
	assert.strictEqual(Buffer.from(r.plaintext, 'base64').toString(), m.msg);
}

async function sessions(withPreKey) {
	await call({method: 'reset'});
	await call({method: 'newIdentity', peer: 'alice'});
	await call({method: 'newIdentity', peer: 'bob'});
	const {bundle} = await call({method: 'bundle', peer: 'bob', preKey: withPreKey});
	await call({method: 'processBundle', peer: 'alice', address: addr('bob'), bundle});

	const first = await send('alice', 'bob', 'hello bob');
	assert.strictEqual(first.type, MESSAGE_TYPE.preKey);
	await deliver(first);
	if (withPreKey) {
		const {present} = await call({method: 'hasPreKey', peer: 'bob', preKeyId: bundle.preKeyId});
		assert.strictEqual(present, false, 'one-time prekey must be used up');
	}
	const dup = await handle({method: 'decrypt', peer: 'bob', address: addr('alice'), type: first.type, body: first.body});
	assert.strictEqual(dup.ok, false);

	const reply = await send('bob', 'alice', 'hello alice');
	assert.strictEqual(reply.type, MESSAGE_TYPE.whisper);
	await deliver(reply);

	// Out of order, across a ratchet turn: hold back two of alice's messages.
	const held = [await send('alice', 'bob', 'held 1'), await send('alice', 'bob', 'held 2')];
	await deliver(await send('alice', 'bob', 'after held'));
	await deliver(await send('bob', 'alice', 'turn'));
	await deliver(await send('alice', 'bob', 'new chain'));
	await deliver(held[1]);
	await deliver(held[0]);

	// A duplicate and a tampered MAC are refused and change nothing.
	const m = await send('bob', 'alice', 'once');
	const tampered = Buffer.from(m.body, 'base64');
	tampered[tampered.length - 1] ^= 1;
	const bad = await handle({method: 'decrypt', peer: 'alice', address: addr('bob'), type: m.type, body: b64(tampered)});
	assert.strictEqual(bad.error, ERR.badMac, JSON.stringify(bad));
	await deliver(m);
	const again = await handle({method: 'decrypt', peer: 'alice', address: addr('bob'), type: m.type, body: m.body});
	assert.strictEqual(again.error, ERR.duplicate, JSON.stringify(again));
	await deliver(await send('bob', 'alice', 'still fine'));
	await deliver(await send('alice', 'bob', 'both ways'));
}

async function signatures() {
	const msg = crypto.randomBytes(100);
	const s = await call({method: 'sign', message: b64(msg)});
	assert.strictEqual((await call({method: 'verify', publicKey: s.publicKey, message: b64(msg), signature: s.signature})).valid, true);
	msg[0] ^= 1;
	assert.strictEqual((await call({method: 'verify', publicKey: s.publicKey, message: b64(msg), signature: s.signature})).valid, false);
}

async function safetyNumbers() {
	const a = await call({method: 'sign', message: text('a')});
	const b = await call({method: 'sign', message: text('b')});
	const fp = (localId, localKey, remoteId, remoteKey) => call({
		method: 'fingerprint', iterations: 5200, version: 2,
		localId: text(localId), localKey, remoteId: text(remoteId), remoteKey,
	});
	const ab = await fp('+14152222222', a.publicKey, '+14153333333', b.publicKey);
	const ba = await fp('+14153333333', b.publicKey, '+14152222222', a.publicKey);
	assert.match(ab.displayable, /^[0-9]{60}$/);
	assert.strictEqual(ab.displayable, ba.displayable);
	assert.strictEqual((await call({method: 'compareScannable', ours: ab.scannable, theirs: ba.scannable})).match, true);
	assert.strictEqual((await call({method: 'compareScannable', ours: ab.scannable, theirs: ab.scannable})).match, false);
}

(async () => {
	await sessions(true);
	await sessions(false);
	await signatures();
	await safetyNumbers();
	const bad = await handle({method: 'nope'});
	assert.strictEqual(bad.error, ERR.badRequest);
	console.log('interop selftest: ok');
})().catch((err) => {
	console.error(err);
	process.exit(1);
});
