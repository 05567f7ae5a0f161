// run.js times the same .tflite models in TensorFlow Lite compiled to
// WebAssembly (@tensorflow/tfjs-tflite 0.0.1-alpha.10, its SIMD build, which
// runs XNNPACK) and in Fovea (`fovea bench --json`, once per kernel path), in
// the same run, and prints ms per Invoke and the ratio Fovea/TFLite-wasm
// (`make bench-compare`, docs/kernels.md).
//
//   node run.js --fovea BIN [--tfjs DIR] [--shared DIR] [--models A,B]
//               [--threads 1,2] [--kernels generic,avx2] [--runs 20]
//               [--rounds 3] [--warmup 3] [--cases 3] [--json]
//
// Each round times every (model, threads) pair once in TFLite-wasm and once
// per Fovea kernel path, alternating which goes first, so that a machine
// that speeds up or slows down during the run affects both sides alike; a
// figure is the median over the rounds of each round's median. Where
// the golden cases (SHARED/golden/cases.tsv) cover a model, both runtimes
// also run its first --cases inputs once and the top-1 classes and the
// largest output difference are reported.
//
// Exit status: 0, 1 on a failure, 2 when something it needs is missing.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {execFileSync} = require('child_process');
const v8 = require('v8');

// Compile the wasm with the optimizing tier at once: with the baseline tier
// first, the first runner timed would run slower code than the later ones.
v8.setFlagsFromString('--no-liftoff');

const repo = path.resolve(__dirname, '../../..');
const defaultModels = [
  'mobilenet_v2_1.0_224_quant.tflite',
  'tf2_mobilenet_v2_1.0_224_ptq.tflite',
  'mobilenet_v1_0.25_128_quant.tflite',
  'mobilenet_v1_0.25_224_1_default_1.tflite',
];
const pkgName = '@tensorflow/tfjs-tflite';

class Missing extends Error {}

function parseArgs(argv) {
  const o = {
    fovea: path.join(repo, 'bin/fovea-static'),
    tfjs: process.env.FOVEA_TFJS || path.join(repo, '.tfjs'),
    shared: process.env.FOVEA_SHARED || path.join(path.dirname(repo), 'shared'),
    models: '', threads: '1,2', kernels: '', runs: 20, rounds: 3, warmup: 3, cases: 3, json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (k === 'json') {
      o.json = true;
      continue;
    }
    if (!(k in o) || i + 1 >= argv.length) {
      throw new Error(`unknown flag or missing value: ${argv[i]} (flags: ${Object.keys(o).map((f) => '--' + f).join(' ')})`);
    }
    const v = argv[++i];
    o[k] = typeof o[k] === 'number' ? Number(v) : v;
    if (typeof o[k] === 'number' && !(Number.isInteger(o[k]) && o[k] >= (k === 'cases' ? 0 : 1))) {
      throw new Error(`--${k} ${v}: want a positive whole number`);
    }
  }
  return o;
}

// loadWasm starts the SIMD build. The threaded builds need Web Workers,
// which node does not have, so numThreads > 1 cannot start threads here.
async function loadWasm(pkgDir) {
  const root = path.resolve(pkgDir, 'node_modules', pkgName); // require() resolves relative paths from this file
  const wasmDir = path.join(root, 'wasm');
  const js = path.join(wasmDir, 'tflite_web_api_cc_simd.js');
  if (!fs.existsSync(js)) {
    throw new Missing(`${pkgName} is not installed in ${pkgDir} (run make tfjs, which needs npm; or set FOVEA_TFJS)`);
  }
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const factory = require(js);
  const mod = await factory({
    wasmBinary: fs.readFileSync(path.join(wasmDir, 'tflite_web_api_cc_simd.wasm')),
    // The module logs "Created TensorFlow Lite XNNPACK delegate" per runner.
    print: () => {},
    printErr: () => {},
  });
  return {mod, version};
}

function vec(v) {
  const out = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  v.delete();
  return out;
}

// wasmRunner loads a model into TFLite-wasm with numThreads threads.
function wasmRunner(mod, modelBytes, threads) {
  const ptr = mod._malloc(modelBytes.length);
  mod.HEAPU8.set(modelBytes, ptr);
  const res = mod.TFLiteWebModelRunner.CreateFromBufferAndOptions(ptr, modelBytes.length,
      {numThreads: threads, enableProfiling: false, maxProfilingBufferEntries: 1024});
  if (!res.ok()) {
    mod._free(ptr);
    throw new Error('TFLite-wasm: ' + res.errorMessage());
  }
  const runner = res.value();
  const bytes = (t) => {
    const d = t.data();
    if (d === undefined) throw new Error(`the tfjs-tflite JS API cannot read ${t.dataType} tensors`);
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  };
  return {
    // setInput copies raw into input 0 (zeros when raw is null).
    setInput(raw) {
      const b = bytes(vec(runner.GetInputs())[0]);
      if (raw === null) {
        b.fill(0);
        return;
      }
      if (raw.length !== b.length) throw new Error(`input has ${raw.length} bytes; the model's input 0 has ${b.length}`);
      b.set(raw);
    },
    invoke() {
      if (!runner.Infer()) throw new Error('TFLite-wasm: Infer failed');
    },
    output() {
      return Buffer.from(bytes(vec(runner.GetOutputs())[0]));
    },
    close() {
      runner.delete();
      mod._free(ptr);
    },
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

// timeWasm is the wasm side of `fovea bench`: warmup untimed Invokes, then
// the median of runs timed ones, on a zero input.
function timeWasm(r, runs, warmup) {
  r.setInput(null);
  for (let i = 0; i < warmup; i++) r.invoke();
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    r.invoke();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return median(t);
}

function fovea(bin, args) {
  try {
    return execFileSync(bin, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
  } catch (e) {
    throw new Error(`${bin} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

function foveaBench(o, model, threads, kernels) {
  const out = fovea(o.fovea, ['bench', '--model', model, '--threads', String(threads), '--runs', String(o.runs),
    '--warmup', String(o.warmup), '--kernels', kernels, '--json']);
  return JSON.parse(out);
}

// goldenCases lists the cases.tsv rows of a model (by file name).
function goldenCases(shared, model) {
  const tsv = path.join(shared, 'golden', 'cases.tsv');
  if (!fs.existsSync(tsv)) return [];
  const [head, ...rows] = fs.readFileSync(tsv, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const col = (name) => head.indexOf(name);
  return rows.filter((r) => path.basename(r[col('model')]) === path.basename(model)).map((r) => ({
    name: r[col('case')],
    input: path.join(shared, 'golden', r[col('input')]),
    dtype: r[col('out_dtype')],
  }));
}

function decode(buf, dtype) {
  switch (dtype) {
    case 'uint8': return Array.from(buf);
    case 'int8': return Array.from(new Int8Array(buf.buffer, buf.byteOffset, buf.length));
    case 'float32': {
      const out = [];
      for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
      return out;
    }
    default: throw new Error(`output dtype ${dtype} is not compared`);
  }
}

function argmax(xs) {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

// check runs both runtimes once on up to n golden inputs of the model.
function check(o, mod, model, bytes, tmp) {
  const cases = goldenCases(o.shared, model).slice(0, o.cases);
  if (cases.length === 0) return null;
  const r = wasmRunner(mod, bytes, 1);
  const res = {cases: cases.length, top1_agree: 0, max_diff: 0, disagree: [], per_case: []};
  try {
    for (const c of cases) {
      const input = fs.readFileSync(c.input);
      r.setInput(input);
      r.invoke();
      const w = decode(r.output(), c.dtype);
      const outPath = path.join(tmp, c.name + '.out');
      fovea(o.fovea, ['model', 'run', '--model', model, '--input', c.input, '--output', outPath]);
      const f = decode(fs.readFileSync(outPath), c.dtype);
      if (w.length !== f.length) throw new Error(`${c.name}: TFLite-wasm gives ${w.length} outputs, Fovea ${f.length}`);
      let diff = 0;
      for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i] - f[i]));
      res.max_diff = Math.max(res.max_diff, diff);
      res.per_case.push({case: c.name, max_diff: diff, top1_wasm: argmax(w), top1_fovea: argmax(f)});
      if (argmax(w) === argmax(f)) {
        res.top1_agree++;
      } else {
        res.disagree.push({case: c.name, wasm: argmax(w), fovea: argmax(f)});
      }
    }
  } finally {
    r.close();
  }
  return res;
}

function resolveModels(o) {
  if (o.models) {
    return o.models.split(',').map((m) => {
      const inShared = path.join(o.shared, 'golden', 'models', m);
      return fs.existsSync(m) ? m : inShared;
    });
  }
  const dir = path.join(o.shared, 'golden', 'models');
  if (fs.existsSync(dir)) return defaultModels.map((m) => path.join(dir, m));
  return [path.join(repo, 'testdata', 'models', 'shapes.tflite')];
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.fovea)) throw new Missing(`no fovea binary at ${o.fovea} (make build-static, or pass --fovea)`);
  const {mod, version} = await loadWasm(o.tfjs);
  const models = resolveModels(o);
  for (const m of models) if (!fs.existsSync(m)) throw new Missing(`model ${m} not found`);
  const threads = o.threads.split(',').map(Number);
  const probe = foveaBench({...o, runs: 1, warmup: 1}, models[0], 1, 'generic');
  const paths = o.kernels ? o.kernels.split(',') : probe.available;

  // samples[model][threads] = {wasm: [round medians], fovea: {path: [...]}}
  const samples = models.map(() => threads.map(() => ({wasm: [], fovea: Object.fromEntries(paths.map((p) => [p, []]))})));
  const bytes = models.map((m) => fs.readFileSync(m));
  for (let round = 0; round < o.rounds; round++) {
    models.forEach((m, mi) => threads.forEach((t, ti) => {
      const s = samples[mi][ti];
      const wasmSide = () => {
        const r = wasmRunner(mod, bytes[mi], t);
        try {
          s.wasm.push(timeWasm(r, o.runs, o.warmup));
        } finally {
          r.close();
        }
      };
      const foveaSide = () => {
        for (const p of paths) s.fovea[p].push(foveaBench(o, m, t, p).median_ms);
      };
      if (round % 2 === 0) {
        wasmSide();
        foveaSide();
      } else {
        foveaSide();
        wasmSide();
      }
    }));
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'benchcmp-'));
  const results = [];
  try {
    models.forEach((m, mi) => {
      const c = check(o, mod, m, bytes[mi], tmp);
      threads.forEach((t, ti) => {
        const s = samples[mi][ti];
        const wasm = median(s.wasm);
        const row = {model: path.basename(m, '.tflite'), threads: t, wasm_ms: wasm, fovea_ms: {}, ratio: {}};
        for (const p of paths) {
          row.fovea_ms[p] = median(s.fovea[p]);
          row.ratio[p] = row.fovea_ms[p] / wasm;
        }
        if (c) row.check = c;
        results.push(row);
      });
    });
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true});
  }

  const env = {
    tflite_wasm: `${pkgName} ${version} (SIMD build, XNNPACK, one thread: node has no Web Workers)`,
    node: process.version, cpus: os.cpus().length, cpu: (os.cpus()[0] || {}).model, loadavg: os.loadavg(),
    runs: o.runs, rounds: o.rounds, warmup: o.warmup, kernels: paths,
  };
  if (o.json) {
    process.stdout.write(JSON.stringify({env, results}) + '\n');
    return;
  }
  printTable(env, paths, results);
}

function printTable(env, paths, results) {
  const lines = [];
  lines.push(`TFLite-wasm: ${env.tflite_wasm}, node ${env.node}`);
  lines.push(`CPU: ${env.cpu}, ${env.cpus} cores, load ${env.loadavg.map((x) => x.toFixed(2)).join(' ')} (at the end)`);
  lines.push(`${env.runs} timed Invokes (after ${env.warmup} untimed) × ${env.rounds} rounds, median of the round medians; ms per Invoke (Fovea/TFLite-wasm)`);
  lines.push('');
  const head = ['model', 'thr', 'tflite-wasm', ...paths.map((p) => 'fovea ' + p), 'top-1 agree', 'max diff'];
  const rows = results.map((r) => [
    r.model, String(r.threads), r.wasm_ms.toFixed(2),
    ...paths.map((p) => `${r.fovea_ms[p].toFixed(2)} (${r.ratio[p].toFixed(2)}×)`),
    r.check ? `${r.check.top1_agree}/${r.check.cases}` : '-',
    r.check ? String(Number(r.check.max_diff.toPrecision(3))) : '-',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  lines.push(fmt(head));
  rows.forEach((r) => lines.push(fmt(r)));
  const seen = new Set();
  for (const r of results) {
    if (!r.check || seen.has(r.model)) continue;
    seen.add(r.model);
    for (const d of r.check.disagree) lines.push(`top-1 differs on ${d.case}: TFLite-wasm class ${d.wasm}, Fovea class ${d.fovea}`);
  }
  lines.push('max diff: largest |TFLite-wasm − Fovea| over the outputs, in quantized steps (float32: in output units)');
  process.stdout.write(lines.join('\n') + '\n');
}

main().then(() => process.exit(0)).catch((e) => {
  console.error('bench-compare: ' + (e && e.message ? e.message : e));
  process.exit(e instanceof Missing ? 2 : 1);
});
