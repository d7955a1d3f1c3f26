'use strict';

// table.js prints the side-by-side markdown table from the JSON lines the
// three benchmark programs wrote (files given as arguments: ours first, then
// libsignal-node, then libsignal-client).

const fs = require('fs');

const [ours, node, client] = process.argv.slice(2).map((f) => {
	const line = fs.readFileSync(f, 'utf8').trim().split('\n').pop();
	return JSON.parse(line);
});

const rate = (r) => Math.round(r).toLocaleString('en-US');
const find = (impl, w) => impl.results.find((r) => r.workload === w);

const head = [
	'workload', 'unit',
	`ours (${ours.runtime} in Node)`, `libsignal-node ${node.version}`, `libsignal-client ${client.version}`,
	'ours / libsignal-node', 'ours / libsignal-client',
];
const rows = [head, head.map(() => '---')];
for (const o of ours.results) {
	const n = find(node, o.workload);
	const c = find(client, o.workload);
	rows.push([
		o.workload, o.unit, rate(o.rate), rate(n.rate), rate(c.rate),
		`${(o.rate / n.rate).toFixed(2)}×`, `${(o.rate / c.rate).toFixed(2)}×`,
	]);
}
for (const r of rows) {
	console.log(`| ${r.join(' | ')} |`);
}
