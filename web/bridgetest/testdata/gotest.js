// Runs the wasm/ test binary (wasm_test.wasm) in a dedicated worker and
// exposes its outcome as window.goTestResult, a Promise of {code, output}
// that the Go side (bridgetest) awaits. The query string's "args" are the
// test flags, space-separated.
const params = new URLSearchParams(location.search);
const args = (params.get('args') || '-test.v').split(' ').filter(Boolean);
const out = document.getElementById('out');

window.goTestResult = new Promise((resolve) => {
  let output = '';
  const worker = new Worker('gotest-worker.js');
  worker.onmessage = (e) => {
    if (typeof e.data.output === 'string') {
      output += e.data.output;
      out.textContent = output;
    }
    if (typeof e.data.exit === 'number') resolve({ code: e.data.exit, output });
  };
  worker.onerror = (e) => resolve({ code: -1, output: `${output}\nworker error: ${e.message}` });
  worker.postMessage({ args });
});
