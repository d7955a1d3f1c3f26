'use strict';

// The side-by-side benchmark's workloads run with libsignal@6.0.0
// (libsignal-node), installed in interop/node_modules.

const path = require('path');
const {createRequire} = require('module');
const {main} = require('./workloads');

const interopRequire = createRequire(path.join(__dirname, '..', '..', 'interop', 'package.json'));
const libsignal = interopRequire('libsignal');
const {version} = interopRequire('libsignal/package.json');
const {Storage} = require('../../interop/storage');

const addr = (name) => new libsignal.ProtocolAddress(name, 1);

const impl = {
	name: 'libsignal-node',

	async newParty() {
		const identity = libsignal.keyhelper.generateIdentityKeyPair();
		const st = new Storage(identity, libsignal.keyhelper.generateRegistrationId(), {liveSessions: true});
		st.nextId = 1;
		return st;
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
