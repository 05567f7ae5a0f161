// run.js runs single-op .tflite models in TensorFlow Lite compiled to
// WebAssembly (@tensorflow/tfjs-tflite 0.0.1-alpha.10, its SIMD build), a
// second opinion for Fovea's interpreter (see TestTFLiteWasm).
//
//   node run.js PACKAGE_DIR CASE_DIR
//
// CASE_DIR holds N.tflite and N.in<i> (raw input bytes) for each case N;
// the script writes N.out<i> (raw output bytes) or N.err (the message).
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [pkg, dir] = process.argv.slice(2);
  const wasmDir = path.join(pkg, 'node_modules/@tensorflow/tfjs-tflite/wasm');
  const factory = require(path.join(wasmDir, 'tflite_web_api_cc_simd.js'));
  const mod = await factory({wasmBinary: fs.readFileSync(path.join(wasmDir, 'tflite_web_api_cc_simd.wasm'))});
  const cases = fs.readdirSync(dir).filter((f) => f.endsWith('.tflite')).map((f) => f.slice(0, -7));
  for (const c of cases) {
    try {
      runCase(mod, dir, c);
    } catch (e) {
      fs.writeFileSync(path.join(dir, c + '.err'), String(e && e.message ? e.message : e));
    }
  }
}

function vec(v) {
  const out = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  v.delete();
  return out;
}

function runCase(mod, dir, c) {
  const model = fs.readFileSync(path.join(dir, c + '.tflite'));
  const ptr = mod._malloc(model.length);
  mod.HEAPU8.set(model, ptr);
  const res = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, model.length, {numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024});
  if (!res.ok()) {
    throw new Error('create: ' + res.errorMessage());
  }
  const runner = res.value();
  try {
    const inputs = vec(runner.GetInputs());
    inputs.forEach((t, i) => {
      const raw = fs.readFileSync(path.join(dir, c + '.in' + i));
      const d = t.data();
      new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(raw);
    });
    if (!runner.Infer()) {
      throw new Error('Infer failed');
    }
    const outputs = vec(runner.GetOutputs());
    outputs.forEach((t, i) => {
      const d = t.data();
      if (d === undefined) {
        throw new Error('the tfjs-tflite JS API cannot read ' + t.dataType + ' tensors');
      }
      fs.writeFileSync(path.join(dir, c + '.out' + i), Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    });
  } finally {
    runner.delete();
    mod._free(ptr);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
