'use strict';

// The side-by-side benchmark's workloads run with libsignal@6.0.0
// (libsignal-node), installed in interop/node_modules.

const path = require('path');
const {createRequire} = require('module');
const {main} = require('./workloads');

const interopRequire = createRequire(path.join(__dirname, '..', '..', 'interop', 'package.json'));
const libsignal = interopRequire('libsignal');
const {version} = interopRequire('libsignal/package.json');

// Storage is libsignal-node's storage interface in memory. It keeps session
// records as live objects (no serialisation per message), the cheapest way to
// run the library, as Sambung's Go MemoryStore keeps *SessionRecord.
class Storage {
	constructor() {
		this.identity = libsignal.keyhelper.generateIdentityKeyPair();
		this.registrationId = libsignal.keyhelper.generateRegistrationId();
		this.trusted = new Map();
		this.sessions = new Map();
		this.preKeys = new Map();
		this.signedPreKeys = new Map();
		this.nextId = 1;
	}

	async getOurIdentity() {
		return this.identity;
	}

	async getOurRegistrationId() {
		return this.registrationId;
	}

	async isTrustedIdentity(identifier, key) {
		const known = this.trusted.get(identifier);
		if (known === undefined) {
			this.trusted.set(identifier, key);
			return true;
		}
		return known.equals(key);
	}

	async loadSession(addr) {
		return this.sessions.get(addr);
	}

	async storeSession(addr, record) {
		this.sessions.set(addr, record);
	}

	async loadPreKey(id) {
		return this.preKeys.get(id);
	}

	async removePreKey(id) {
		this.preKeys.delete(id);
	}

	async loadSignedPreKey(id) {
		return this.signedPreKeys.get(id);
	}
}

const addr = (name) => new libsignal.ProtocolAddress(name, 1);

const impl = {
	name: 'libsignal-node',

	async newParty() {
		return new Storage();
	},

	async bundle(st) {
		const signed = libsignal.keyhelper.generateSignedPreKey(st.identity, st.nextId++);
		st.signedPreKeys.set(signed.keyId, signed.keyPair);
		const pre = libsignal.keyhelper.generatePreKey(st.nextId++);
		st.preKeys.set(pre.keyId, pre.keyPair);
		return {
			registrationId: st.registrationId,
			identityKey: st.identity.pubKey,
			signedPreKey: {keyId: signed.keyId, publicKey: signed.keyPair.pubKey, signature: signed.signature},
			preKey: {keyId: pre.keyId, publicKey: pre.keyPair.pubKey},
		};
	},

	async processBundle(st, peer, bundle) {
		await new libsignal.SessionBuilder(st, addr(peer)).initOutgoing(bundle);
	},

	async encrypt(st, peer, plaintext) {
		return new libsignal.SessionCipher(st, addr(peer)).encrypt(plaintext);
	},

	async decrypt(st, peer, msg) {
		const cipher = new libsignal.SessionCipher(st, addr(peer));
		return msg.type === 3 ? cipher.decryptPreKeyWhisperMessage(msg.body) : cipher.decryptWhisperMessage(msg.body);
	},
};

main(impl, {version}).catch((err) => {
	console.error(err);
	process.exit(1);
});
