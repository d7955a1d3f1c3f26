'use strict';

// The side-by-side benchmark's workloads run with
// @signalapp/libsignal-client (Signal's Rust library, native Node binding),
// installed in interop/node_modules. Its sessions always run PQXDH and the
// post-quantum ratchet, so every bundle carries a Kyber prekey.

const path = require('path');
const {pathToFileURL} = require('url');
const {createRequire} = require('module');
const {main} = require('./workloads');

const interopRequire = createRequire(path.join(__dirname, '..', '..', 'interop', 'package.json'));

async function load() {
	// An ES module: resolve it from interop/, then import it.
	const entry = interopRequire.resolve('@signalapp/libsignal-client');
	const c = await import(pathToFileURL(entry).href);
	const pkg = path.join(path.dirname(entry), '..', 'package.json');
	return {c, version: interopRequire(pkg).version};
}

function makeImpl(c) {
	// Party holds one party's in-memory stores, keyed by address string.
	class Party extends c.IdentityKeyStore {
		constructor(name) {
			super();
			this.address = c.ProtocolAddress.new(name, 1);
			this.identity = c.PrivateKey.generate();
			this.registrationId = 1 + Math.floor(Math.random() * 16380);
			this.identities = new Map();
			this.sessions = new Map();
			this.preKeys = new Map();
			this.signedPreKeys = new Map();
			this.kyberPreKeys = new Map();
			this.nextId = 1;
			const self = this;
			this.sessionStore = new (class extends c.SessionStore {
				async saveSession(addr, record) {
					self.sessions.set(addr.toString(), record);
				}
				async getSession(addr) {
					return self.sessions.get(addr.toString()) || null;
				}
				async getExistingSessions(addrs) {
					return addrs.map((a) => self.sessions.get(a.toString())).filter(Boolean);
				}
			})();
			this.preKeyStore = new (class extends c.PreKeyStore {
				async savePreKey(id, rec) {
					self.preKeys.set(id, rec);
				}
				async getPreKey(id) {
					return self.preKeys.get(id);
				}
				async removePreKey(id) {
					self.preKeys.delete(id);
				}
			})();
			this.signedPreKeyStore = new (class extends c.SignedPreKeyStore {
				async saveSignedPreKey(id, rec) {
					self.signedPreKeys.set(id, rec);
				}
				async getSignedPreKey(id) {
					return self.signedPreKeys.get(id);
				}
			})();
			this.kyberPreKeyStore = new (class extends c.KyberPreKeyStore {
				async saveKyberPreKey(id, rec) {
					self.kyberPreKeys.set(id, rec);
				}
				async getKyberPreKey(id) {
					return self.kyberPreKeys.get(id);
				}
				async markKyberPreKeyUsed() {}
			})();
		}

		async getIdentityKey() {
			return this.identity;
		}
		async getLocalRegistrationId() {
			return this.registrationId;
		}
		async saveIdentity(addr, key) {
			const known = this.identities.get(addr.toString());
			this.identities.set(addr.toString(), key);
			return known && !known.equals(key) ? c.IdentityChange.ReplacedExisting : c.IdentityChange.NewOrUnchanged;
		}
		async isTrustedIdentity(addr, key) {
			const known = this.identities.get(addr.toString());
			return !known || known.equals(key);
		}
		async getIdentity(addr) {
			return this.identities.get(addr.toString()) || null;
		}
	}

	const peers = new Map(); // name -> Party, to find the address object
	const addrOf = (name) => peers.get(name).address;

	return {
		name: 'libsignal-client',

		async newParty(name) {
			const p = new Party(name);
			peers.set(name, p);
			return p;
		},

		async bundle(p) {
			const now = Date.now();
			const signedId = p.nextId++;
			const signed = c.PrivateKey.generate();
			const signedSig = p.identity.sign(signed.getPublicKey().serialize());
			p.signedPreKeys.set(signedId, c.SignedPreKeyRecord.new(signedId, now, signed.getPublicKey(), signed, signedSig));
			const preId = p.nextId++;
			const pre = c.PrivateKey.generate();
			p.preKeys.set(preId, c.PreKeyRecord.new(preId, pre.getPublicKey(), pre));
			const kyberId = p.nextId++;
			const kyber = c.KEMKeyPair.generate();
			const kyberSig = p.identity.sign(kyber.getPublicKey().serialize());
			p.kyberPreKeys.set(kyberId, c.KyberPreKeyRecord.new(kyberId, now, kyber, kyberSig));
			return c.PreKeyBundle.new(p.registrationId, 1, preId, pre.getPublicKey(), signedId, signed.getPublicKey(),
				signedSig, p.identity.getPublicKey(), kyberId, kyber.getPublicKey(), kyberSig);
		},

		async processBundle(p, peer, bundle) {
			await c.processPreKeyBundle(bundle, addrOf(peer), p.address, p.sessionStore, p);
		},

		async encrypt(p, peer, plaintext) {
			const m = await c.signalEncrypt(plaintext, addrOf(peer), p.address, p.sessionStore, p);
			return {type: m.type(), body: m.serialize()};
		},

		async decrypt(p, peer, msg) {
			if (msg.type === c.CiphertextMessageType.PreKey) {
				return c.signalDecryptPreKey(c.PreKeySignalMessage.deserialize(msg.body), addrOf(peer), p.address,
					p.sessionStore, p, p.preKeyStore, p.signedPreKeyStore, p.kyberPreKeyStore);
			}
			return c.signalDecrypt(c.SignalMessage.deserialize(msg.body), addrOf(peer), p.address, p.sessionStore, p);
		},
	};
}

load().then(({c, version}) => main(makeImpl(c), {version})).catch((err) => {
	console.error(err);
	process.exit(1);
});
