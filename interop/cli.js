'use strict';

// cli.js serves peer.js over stdio for the native Go tests: one JSON request
// per line on stdin, one JSON response per line on stdout, in order. Node exits
// by itself once stdin closes and the last response is written.

const readline = require('readline');
const {handleJSON} = require('./peer');

// stdout carries only responses; anything else printed goes to stderr.
const write = process.stdout.write.bind(process.stdout);
console.log = console.error;
console.info = console.error;

const lines = readline.createInterface({input: process.stdin, crlfDelay: Infinity});
let pending = Promise.resolve();
lines.on('line', (line) => {
	if (line.trim() === '') {
		return;
	}
	const reply = handleJSON(line);
	pending = pending.then(() => reply).then((out) => {
		write(out + '\n');
	});
});
