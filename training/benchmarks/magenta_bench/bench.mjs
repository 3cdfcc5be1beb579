// Time @magenta/sketch 0.2.0 (TF.js CPU backend under Node) on one .gen.json model:
// prime on a stroke-5 sketch (all rows but the last), then sample N steps with update/getPDF/sample.
// Usage: node bench.mjs MODEL.gen.json SKETCH.json STEPS REPEATS  -> prints one JSON line of timings (ms).
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as sketch from '@magenta/sketch';

const [modelPath, sketchPath, steps = '250', repeats = '3'] = process.argv.slice(2);
await tf.setBackend('cpu');
const [info, shapes, blobs] = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
const model = new sketch.SketchRNN(modelPath);
// initialize() fetches a URL; the same private loader reads the parsed file here.
model.instantiateFromJSON(info, shapes, blobs);
model.setPixelFactor(1.0);
const rows = JSON.parse(fs.readFileSync(sketchPath, 'utf8'));

function complete(nSteps) {
  let state = model.zeroState();
  state = model.update(model.zeroInput(), state);
  state = model.updateStrokes(rows.slice(0, rows.length - 1), state);
  let x = rows[rows.length - 1];
  for (let i = 0; i < nSteps; i++) {
    state = model.update(x, state);
    x = model.sample(model.getPDF(state, 0.4));
  }
  return x;
}

complete(5);  // warm-up
const times = [];
for (let r = 0; r < Number(repeats); r++) {
  const t0 = process.hrtime.bigint();
  complete(Number(steps));
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ backend: tf.getBackend(), prime_rows: rows.length - 1, steps: Number(steps),
  median_ms: times[Math.floor(times.length / 2)], times_ms: times }));
