import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  compareDistance, cosine, distanceFn, innerProduct, isBetter, l2Squared, worstDistance,
} from '../../actors/shared/vector/distance.js';
import { mulberry32 } from '../../bench/support/dataset.js';

const rand = mulberry32(7);
const randomVec = (n: number) => Float32Array.from({ length: n }, () => rand() * 4 - 2);

const naive = {
  l2: (a: number[], b: number[]) => a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0),
  ip: (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0),
  cos: (a: number[], b: number[]) => naive.ip(a, b) / Math.sqrt(naive.ip(a, a) * naive.ip(b, b)),
};

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

test('each kernel equals its textbook formula on a row inside columnar data, for every dim remainder', () => {
  for (const dim of [1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 127, 128]) {
    const rows = 5, data = randomVec(rows * dim), q = randomVec(dim);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(data.subarray(r * dim, (r + 1) * dim)), qa = Array.from(q);
      close(l2Squared(data, r * dim, q, dim), naive.l2(row, qa), `L2 dim ${dim} row ${r}`);
      close(innerProduct(data, r * dim, q, dim), naive.ip(row, qa), `IP dim ${dim} row ${r}`);
      close(cosine(data, r * dim, q, dim), naive.cos(row, qa), `COSINE dim ${dim} row ${r}`);
    }
  }
});

test('L2 is squared (as Milvus reports it), not the Euclidean length', () => {
  assert.is(l2Squared(new Float32Array([3, 4]), 0, new Float32Array([0, 0]), 2), 25);
});

test('cosine is 1 for parallel, -1 for opposite, and 0 against a zero vector', () => {
  const v = new Float32Array([1, 2, 3]);
  close(cosine(v, 0, new Float32Array([2, 4, 6]), 3), 1, 'parallel');
  close(cosine(v, 0, new Float32Array([-1, -2, -3]), 3), -1, 'opposite');
  assert.is(cosine(v, 0, new Float32Array(3), 3), 0);
  assert.is(cosine(new Float32Array(3), 0, v, 3), 0);
});

test('distanceFn picks the kernel of each metric', () => {
  assert.is(distanceFn('L2'), l2Squared);
  assert.is(distanceFn('IP'), innerProduct);
  assert.is(distanceFn('COSINE'), cosine);
});

test('best first: L2 ascending, IP and COSINE descending', () => {
  const ds = [0.5, -1, 3, 0, 2];
  assert.equal([...ds].sort(compareDistance('L2')), [-1, 0, 0.5, 2, 3]);
  assert.equal([...ds].sort(compareDistance('IP')), [3, 2, 0.5, 0, -1]);
  assert.equal([...ds].sort(compareDistance('COSINE')), [3, 2, 0.5, 0, -1]);
  assert.ok(isBetter('L2')(1, 2));
  assert.not.ok(isBetter('L2')(2, 2));
  assert.ok(isBetter('IP')(2, 1));
  assert.ok(isBetter('COSINE')(0.9, 0.1));
  assert.ok(isBetter('L2')(1e30, worstDistance('L2')));
  assert.ok(isBetter('IP')(-1e30, worstDistance('IP')));
});

test.run();
