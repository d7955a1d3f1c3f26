'use strict';

// Sambung's interop peer: it drives the two Signal implementations that nobody
// here wrote, so the Go tests can prove wire compatibility against them.
//
//   - libsignal@6.0.0 ("libsignal-node", what WhatsApp web clients run) for 1:1
//     sessions: X3DH from a bundle, the Double Ratchet, prekey messages.
//   - @signalapp/libsignal-client@0.103.0 (Signal's Rust library) for the parts
//     that have no post-quantum step: XEdDSA sign/verify and safety numbers.
//
// Both libraries are run, never copied. The module keeps any number of named
// libsignal-node peers ("alice", "bob", ...) in memory.
//
// API: handle(request) -> Promise<response>, and handleJSON(line) ->
// Promise<line> for transports that move strings (cli.js, the Go wasm tests).
// A request is {method, ...fields}; byte fields are standard padded base64
// (what Go's encoding/json makes of []byte). A response is {ok: true, ...} or
// {ok: false, error: CODE, message}, where CODE is one of the ERR values below.
// Whatever the libraries print while a request runs is captured into
// response.log instead of reaching stdout, which carries the protocol.
//
// Message types are libsignal-node's numbers: 1 for a SignalMessage
// ("whisper"), 3 for a PreKeySignalMessage. libsignal-client and Sambung's Go
// code call a SignalMessage 2; callers map explicitly.

const libsignal = require('libsignal');
const {Storage} = require('./storage');

// ERR lists the error codes a response can carry.
const ERR = Object.freeze({
	duplicate: 'duplicate', // message key already used (libsignal-node MessageCounterError)
	badMac: 'bad_mac', // MAC check failed
	untrusted: 'untrusted_identity',
	noSession: 'no_session',
	preKey: 'prekey', // unknown one-time or signed prekey
	badRequest: 'bad_request', // the request itself is malformed
	failed: 'failed', // anything else the library threw
});

// MESSAGE_TYPE holds libsignal-node's message type numbers.
const MESSAGE_TYPE = Object.freeze({whisper: 1, preKey: 3});

// Log lines kept per response: enough to diagnose, bounded so a noisy failure
// cannot flood the transport.
const MAX_LOG_LINES = 50;

class RequestError extends Error {
	constructor(code, message) {
		super(message);
		this.code = code;
	}
}

function bytes(req, field) {
	const v = req[field];
	if (typeof v !== 'string') {
		throw new RequestError(ERR.badRequest, `field ${field}: base64 string required`);
	}
	return Buffer.from(v, 'base64');
}

function optBytes(req, field) {
	return req[field] == null ? null : bytes(req, field);
}

function b64(buf) {
	return Buffer.from(buf).toString('base64');
}

function uint(req, field, dflt) {
	const v = req[field] == null ? dflt : req[field];
	if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
		throw new RequestError(ERR.badRequest, `field ${field}: unsigned integer required`);
	}
	return v;
}

function address(req) {
	const a = req.address;
	if (!a || typeof a.name !== 'string') {
		throw new RequestError(ERR.badRequest, 'field address: {name, deviceId} required');
	}
	return new libsignal.ProtocolAddress(a.name, uint(a, 'deviceId'));
}

class Peer {
	constructor(registrationId) {
		this.storage = new Storage(libsignal.keyhelper.generateIdentityKeyPair(), registrationId);
		this.nextSignedPreKeyId = 1;
		this.nextPreKeyId = 1;
	}
}

const peers = new Map();

function peer(req) {
	const p = peers.get(req.peer);
	if (!p) {
		throw new RequestError(ERR.badRequest, `no peer ${JSON.stringify(req.peer)}: call newIdentity first`);
	}
	return p;
}

let clientLib; // @signalapp/libsignal-client is an ES module: loaded on first use.
async function client() {
	if (!clientLib) {
		clientLib = await import('@signalapp/libsignal-client');
	}
	return clientLib;
}

const methods = {
	// newIdentity creates (or replaces) the named peer with a fresh identity.
	async newIdentity(req) {
		const regId = uint(req, 'registrationId', libsignal.keyhelper.generateRegistrationId());
		const p = new Peer(regId);
		peers.set(req.peer, p);
		return {identityKey: b64(p.storage.identity.pubKey), registrationId: regId};
	},

	// bundle makes a new signed prekey (and a one-time prekey if req.preKey),
	// stores their private halves, and returns the public bundle.
	async bundle(req) {
		const p = peer(req);
		const st = p.storage;
		const signed = libsignal.keyhelper.generateSignedPreKey(st.identity, p.nextSignedPreKeyId++);
		st.signedPreKeys.set(signed.keyId, signed.keyPair);
		const out = {
			registrationId: st.registrationId,
			deviceId: uint(req, 'deviceId', 1),
			identityKey: b64(st.identity.pubKey),
			signedPreKeyId: signed.keyId,
			signedPreKey: b64(signed.keyPair.pubKey),
			signedPreKeySignature: b64(signed.signature),
		};
		if (req.preKey) {
			const pk = libsignal.keyhelper.generatePreKey(p.nextPreKeyId++);
			st.preKeys.set(pk.keyId, pk.keyPair);
			out.preKeyId = pk.keyId;
			out.preKey = b64(pk.keyPair.pubKey);
		}
		return {bundle: out};
	},

	// hasPreKey reports whether a one-time prekey is still stored (it is
	// removed once a prekey message that used it has been decrypted).
	async hasPreKey(req) {
		return {present: peer(req).storage.preKeys.has(uint(req, 'preKeyId'))};
	},

	// processBundle starts a session to req.address from req.bundle (X3DH).
	async processBundle(req) {
		const p = peer(req);
		const b = req.bundle;
		if (!b) {
			throw new RequestError(ERR.badRequest, 'field bundle required');
		}
		const device = {
			registrationId: uint(b, 'registrationId'),
			identityKey: bytes(b, 'identityKey'),
			signedPreKey: {
				keyId: uint(b, 'signedPreKeyId'),
				publicKey: bytes(b, 'signedPreKey'),
				signature: bytes(b, 'signedPreKeySignature'),
			},
		};
		const preKey = optBytes(b, 'preKey');
		if (preKey) {
			device.preKey = {keyId: uint(b, 'preKeyId'), publicKey: preKey};
		}
		await new libsignal.SessionBuilder(p.storage, address(req)).initOutgoing(device);
		return {};
	},

	async encrypt(req) {
		const p = peer(req);
		const cipher = new libsignal.SessionCipher(p.storage, address(req));
		const m = await cipher.encrypt(bytes(req, 'plaintext'));
		return {type: m.type, body: b64(m.body)};
	},

	async decrypt(req) {
		const p = peer(req);
		const cipher = new libsignal.SessionCipher(p.storage, address(req));
		const body = bytes(req, 'body');
		let pt;
		switch (req.type) {
		case MESSAGE_TYPE.whisper:
			pt = await cipher.decryptWhisperMessage(body);
			break;
		case MESSAGE_TYPE.preKey:
			pt = await cipher.decryptPreKeyWhisperMessage(body);
			break;
		default:
			throw new RequestError(ERR.badRequest, `type ${req.type}: want 1 (whisper) or 3 (prekey)`);
		}
		return {plaintext: b64(pt)};
	},

	// sign makes an XEdDSA signature with libsignal-client, with the given
	// 32-byte private key or a fresh one; it returns the 33-byte public key.
	async sign(req) {
		const c = await client();
		const raw = optBytes(req, 'privateKey');
		const priv = raw ? c.PrivateKey.deserialize(raw) : c.PrivateKey.generate();
		const sig = priv.sign(bytes(req, 'message'));
		return {publicKey: b64(priv.getPublicKey().serialize()), signature: b64(sig)};
	},

	// verify checks an XEdDSA signature with libsignal-client.
	async verify(req) {
		const c = await client();
		const pub = c.PublicKey.deserialize(bytes(req, 'publicKey'));
		return {valid: pub.verify(bytes(req, 'message'), bytes(req, 'signature'))};
	},

	// fingerprint computes safety numbers with libsignal-client.
	async fingerprint(req) {
		const c = await client();
		const fp = c.Fingerprint.new(
			uint(req, 'iterations'), uint(req, 'version'),
			bytes(req, 'localId'), c.PublicKey.deserialize(bytes(req, 'localKey')),
			bytes(req, 'remoteId'), c.PublicKey.deserialize(bytes(req, 'remoteKey')));
		return {
			displayable: fp.displayableFingerprint().toString(),
			scannable: b64(fp.scannableFingerprint().toBuffer()),
		};
	},

	// compareScannable runs libsignal-client's compare of our scannable
	// fingerprint bytes against theirs.
	async compareScannable(req) {
		const c = await client();
		const ours = c.ScannableFingerprint._fromBuffer(bytes(req, 'ours'));
		const theirs = c.ScannableFingerprint._fromBuffer(bytes(req, 'theirs'));
		return {match: ours.compare(theirs)};
	},

	// reset forgets every peer.
	async reset() {
		peers.clear();
		return {};
	},
};

// classify turns what libsignal threw (and, for SignalMessages, what it
// logged: decryptWhisperMessage tries every session, logs each failure and
// throws one generic SessionError) into an ERR code.
function classify(err, log) {
	if (err instanceof RequestError) {
		return err.code;
	}
	const text = [String(err && err.name), String(err && err.message), ...log].join('\n');
	if (err instanceof libsignal.UntrustedIdentityKeyError) {
		return ERR.untrusted;
	}
	if (err instanceof libsignal.MessageCounterError || /MessageCounterError/.test(text)) {
		return ERR.duplicate;
	}
	if (/Bad MAC/.test(text)) {
		return ERR.badMac;
	}
	if (err instanceof libsignal.PreKeyError) {
		return ERR.preKey;
	}
	if (err instanceof libsignal.SessionError && /No (session|sessions|open session)/.test(text)) {
		return ERR.noSession;
	}
	return ERR.failed;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'];

function format(args) {
	return args.map((a) => (a instanceof Error ? a.stack || String(a) : typeof a === 'string' ? a : String(a))).join(' ');
}

async function run(req) {
	const log = [];
	const saved = CONSOLE_METHODS.map((m) => console[m]);
	for (const m of CONSOLE_METHODS) {
		console[m] = (...args) => {
			if (log.length < MAX_LOG_LINES) {
				log.push(`${m}: ${format(args)}`);
			}
		};
	}
	let resp;
	try {
		if (!req || typeof req !== 'object' || !Object.hasOwn(methods, req.method)) {
			throw new RequestError(ERR.badRequest, `unknown method ${JSON.stringify(req && req.method)}`);
		}
		resp = Object.assign({ok: true}, await methods[req.method](req));
	} catch (err) {
		resp = {ok: false, error: classify(err, log), message: String(err && err.message || err)};
	} finally {
		CONSOLE_METHODS.forEach((m, i) => {
			console[m] = saved[i];
		});
	}
	if (req && req.id !== undefined) {
		resp.id = req.id;
	}
	if (log.length) {
		resp.log = log;
	}
	return resp;
}

// Requests run one at a time, in arrival order: the console capture above
// and the test scripts both rely on it.
let queue = Promise.resolve();

function handle(req) {
	const p = queue.then(() => run(req));
	queue = p.catch(() => {});
	return p;
}

async function handleJSON(line) {
	let req;
	try {
		req = JSON.parse(line);
	} catch (err) {
		return JSON.stringify({ok: false, error: ERR.badRequest, message: `bad JSON: ${err.message}`});
	}
	return JSON.stringify(await handle(req));
}

module.exports = {handle, handleJSON, ERR, MESSAGE_TYPE};
