import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { innerProduct, l2Squared } from '../../actors/shared/vector/distance.js';
import { mulberry32 } from '../../bench/support/dataset.js';
import { codeTable, decode8, encode8, tableDistance, trainScalarQuantizer8 } from '../../runtime/vectorIndex/ivf/scalarQuantizer8.js';

const DIM = 12, N = 500;
const rand = mulberry32(11);
// Each dimension its own range; dimension 5 constant (a range of 0).
const vectors = new Float32Array(N * DIM).map((_, i) => (i % DIM === 5 ? 2.5 : (rand() - 0.5) * (1 + (i % DIM))));

test('codes decode to within half a step of the value, per dimension; the extremes map to the end codes', () => {
  const sq = trainScalarQuantizer8(vectors, DIM, N);
  assert.is(sq.vdiff[5], 0);
  const codes = new Uint8Array(N * DIM);
  for (let r = 0; r < N; r++) encode8(sq, vectors, r * DIM, codes, r * DIM);
  for (let i = 0; i < vectors.length; i++) {
    const j = i % DIM, step = sq.vdiff[j]! / 255;
    assert.ok(Math.abs(decode8(sq, j, codes[i]!) - vectors[i]!) <= step * 0.5 + 1e-6, `value ${i}`);
  }
  for (let j = 0; j < DIM; j++) {
    if (j === 5) continue;
    const column = Array.from({ length: N }, (_, r) => codes[r * DIM + j]!);
    assert.is(Math.min(...column), 0);
    assert.ok(Math.max(...column) >= 254, `dimension ${j} tops out at ${Math.max(...column)}`);
  }
});

test('a code table gives the L2 and IP distance from the query to the decoded vector', () => {
  const sq = trainScalarQuantizer8(vectors, DIM, N);
  const codes = new Uint8Array(N * DIM);
  for (let r = 0; r < N; r++) encode8(sq, vectors, r * DIM, codes, r * DIM);
  const q = new Float32Array(DIM).map(() => rand() * 2 - 1);
  const l2 = codeTable(sq, q, 'L2'), ip = codeTable(sq, q, 'IP');
  for (let r = 0; r < 50; r++) {
    const decoded = Float32Array.from({ length: DIM }, (_, j) => decode8(sq, j, codes[r * DIM + j]!));
    const wantL2 = l2Squared(decoded, 0, q, DIM), wantIp = innerProduct(decoded, 0, q, DIM);
    assert.ok(Math.abs(tableDistance(l2, codes, r * DIM, DIM) - wantL2) <= 1e-4 * Math.max(1, wantL2), `L2 row ${r}`);
    assert.ok(Math.abs(tableDistance(ip, codes, r * DIM, DIM) - wantIp) <= 1e-4 * Math.max(1, Math.abs(wantIp)), `IP row ${r}`);
  }
});

test('values outside the trained range clamp to the end codes', () => {
  const sq = trainScalarQuantizer8(vectors, DIM, N);
  const out = new Uint8Array(2 * DIM);
  encode8(sq, new Float32Array(DIM).fill(-1e6), 0, out, 0);
  encode8(sq, new Float32Array(DIM).fill(1e6), 0, out, DIM);
  assert.ok(out.subarray(0, DIM).every((c) => c === 0));
  assert.ok(out.subarray(DIM).every((c, j) => c === (j === 5 ? 0 : 255)));
});

test.run();
