'use strict';

// Storage is libsignal-node's storage interface in memory, for the interop
// peer (peer.js) and the side-by-side benchmark
// (bench/signal/libsignal-node.js).
//
// Sessions are kept in one of two ways. Serialised (the peer's), as a real
// client keeps them on disk: libsignal-node mutates the loaded record while
// it tries a decrypt and stores it only on success, so handing out a fresh
// copy on every load is what keeps a failed decrypt from changing state.
// Live (the benchmark's, {liveSessions: true}): the record objects
// themselves, no serialisation per message, the cheapest way to run the
// library, as Sambung's Go MemoryStore keeps *SessionRecord.

const libsignal = require('libsignal');

class Storage {
	constructor(identity, registrationId, {liveSessions = false} = {}) {
		this.identity = identity;
		this.registrationId = registrationId;
		this.liveSessions = liveSessions;
		this.trusted = new Map(); // identifier -> identity key (trust on first use)
		this.sessions = new Map(); // "name.device" -> SessionRecord, or the JSON of its serialize()
		this.preKeys = new Map(); // id -> key pair
		this.signedPreKeys = new Map(); // id -> key pair
	}

	async getOurIdentity() {
		return this.identity;
	}

	async getOurRegistrationId() {
		return this.registrationId;
	}

	// libsignal-node passes the bare name from the sending side and
	// "name.device" from the receiving side; both are recorded on first use.
	async isTrustedIdentity(identifier, identityKey) {
		const known = this.trusted.get(identifier);
		if (known === undefined) {
			this.trusted.set(identifier, Buffer.from(identityKey));
			return true;
		}
		return known.equals(identityKey);
	}

	async loadSession(addr) {
		const s = this.sessions.get(addr);
		if (s === undefined || this.liveSessions) {
			return s;
		}
		return libsignal.SessionRecord.deserialize(JSON.parse(s));
	}

	async storeSession(addr, record) {
		this.sessions.set(addr, this.liveSessions ? record : JSON.stringify(record.serialize()));
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

module.exports = {Storage};
