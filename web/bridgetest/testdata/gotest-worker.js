// Runs one Go test binary for js/wasm: stdout and stderr go to the page,
// then the exit code.
'use strict';
/* global Go */
importScripts('wasm_exec.js');

const decoder = new TextDecoder();
globalThis.fs.writeSync = (fd, buf) => {
  self.postMessage({ output: decoder.decode(buf) });
  return buf.length;
};

self.onmessage = async (e) => {
  const go = new Go();
  go.argv = ['wasm.test', ...e.data.args];
  go.exit = (code) => self.postMessage({ exit: code });
  try {
    const { instance } = await WebAssembly.instantiateStreaming(fetch('wasm_test.wasm'), go.importObject);
    await go.run(instance);
  } catch (err) {
    self.postMessage({ output: `\nload failed: ${err}\n`, exit: -1 });
  }
};
