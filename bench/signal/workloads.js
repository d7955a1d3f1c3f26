'use strict';

// The workloads of the side-by-side Signal benchmark, written once for both
// Node implementations (libsignal-node.js, libsignal-client.js). The Go
// program in wasm/main.go runs the same definitions; README.md states them.
//
// An implementation is an object with:
//   name                                  label for the table
//   newParty(name) -> party               fresh identity and in-memory stores
//   bundle(party) -> bundle               signed prekey + one-time prekey (+ Kyber
//                                         prekey where the library requires one)
//   processBundle(party, peerName, bundle)
//   encrypt(party, peerName, plaintext) -> message
//   decrypt(party, peerName, message) -> plaintext

const PLAINTEXT_SIZE = 100;
const DIRECTION_RUN = 10; // the alternating workload flips direction every 10 messages
const PLAINTEXT = Buffer.alloc(PLAINTEXT_SIZE, 0x61);

function check(got, want, what) {
	if (!Buffer.from(got).equals(want)) {
		throw new Error(`${what}: decrypted plaintext differs`);
	}
}

// pair makes alice and bob with an established session in both directions:
// alice processes bob's bundle, sends the prekey message, bob answers. None of
// it is timed.
async function pair(impl) {
	const alice = await impl.newParty('alice');
	const bob = await impl.newParty('bob');
	await impl.processBundle(alice, 'bob', await impl.bundle(bob));
	check(await impl.decrypt(bob, 'alice', await impl.encrypt(alice, 'bob', PLAINTEXT)), PLAINTEXT, 'first message');
	check(await impl.decrypt(alice, 'bob', await impl.encrypt(bob, 'alice', PLAINTEXT)), PLAINTEXT, 'reply');
	return {alice, bob};
}

const workloads = [
	{
		// One encrypt + one decrypt per message, 100-byte plaintext, the
		// direction flips every 10 messages (a ratchet turn each flip).
		name: 'steady_alternating',
		unit: 'msgs/s',
		async run(impl, count) {
			const {alice, bob} = await pair(impl);
			const ends = [[alice, 'alice', bob, 'bob'], [bob, 'bob', alice, 'alice']];
			const t0 = process.hrtime.bigint();
			for (let i = 0; i < count; i++) {
				const [from, fromName, to, toName] = ends[Math.floor(i / DIRECTION_RUN) % 2];
				check(await impl.decrypt(to, fromName, await impl.encrypt(from, toName, PLAINTEXT)), PLAINTEXT, this.name);
			}
			return Number(process.hrtime.bigint() - t0) / 1e9;
		},
	},
	{
		// The same, always alice to bob: no ratchet turn, only chain steps.
		name: 'steady_one_way',
		unit: 'msgs/s',
		async run(impl, count) {
			const {alice, bob} = await pair(impl);
			const t0 = process.hrtime.bigint();
			for (let i = 0; i < count; i++) {
				check(await impl.decrypt(bob, 'alice', await impl.encrypt(alice, 'bob', PLAINTEXT)), PLAINTEXT, this.name);
			}
			return Number(process.hrtime.bigint() - t0) / 1e9;
		},
	},
	{
		// The initiator processes a prepared bundle, encrypts the first
		// message, the responder decrypts it. Responders, their keys and
		// bundles are made before the clock starts.
		name: 'session_setup',
		unit: 'setups/s',
		async run(impl, count) {
			const alice = await impl.newParty('alice');
			const responders = [];
			for (let i = 0; i < count; i++) {
				const name = `bob-${i}`;
				const party = await impl.newParty(name);
				responders.push({name, party, bundle: await impl.bundle(party)});
			}
			const t0 = process.hrtime.bigint();
			for (const r of responders) {
				await impl.processBundle(alice, r.name, r.bundle);
				check(await impl.decrypt(r.party, 'alice', await impl.encrypt(alice, r.name, PLAINTEXT)), PLAINTEXT, this.name);
			}
			return Number(process.hrtime.bigint() - t0) / 1e9;
		},
	},
];

// parseArgs reads --msgs N --setups N --runs N (run.sh passes the same to
// every implementation).
function parseArgs(argv) {
	const opts = {msgs: 2000, setups: 200, runs: 3};
	for (let i = 0; i < argv.length; i += 2) {
		const key = argv[i].replace(/^--?/, '');
		const v = Number(argv[i + 1]);
		if (!(key in opts) || !Number.isInteger(v) || v < 1) {
			throw new Error(`usage: [--msgs N] [--setups N] [--runs N], got ${argv[i]} ${argv[i + 1]}`);
		}
		opts[key] = v;
	}
	return opts;
}

// main runs every workload: one warm-up run of a fifth of the count, then
// opts.runs timed runs of the full count, keeping the best. It prints one
// JSON line.
async function main(impl, extra) {
	const opts = parseArgs(process.argv.slice(2));
	const results = [];
	for (const w of workloads) {
		const count = w.name === 'session_setup' ? opts.setups : opts.msgs;
		await w.run(impl, Math.max(1, Math.floor(count / 5)));
		let best = Infinity;
		for (let r = 0; r < opts.runs; r++) {
			best = Math.min(best, await w.run(impl, count));
		}
		results.push({workload: w.name, unit: w.unit, count, seconds: best, rate: count / best});
	}
	process.stdout.write(JSON.stringify(Object.assign({impl: impl.name, runtime: `node ${process.version}`}, extra, {results})) + '\n');
}

module.exports = {workloads, main, PLAINTEXT_SIZE, DIRECTION_RUN};
