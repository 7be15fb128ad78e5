import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeDiskCacheFile, encodeDiskCacheFile } from '../../actors/query-node/core/diskCacheFile.js';

/**
 * The disk tier's file (pure): it gives back exactly the bytes written for its
 * key, and refuses a file cut short, one with a flipped bit, one of another key,
 * and anything that is not such a file.
 */
const body = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) % 251);
const file = encodeDiskCacheFile('segments/1/2/data.seg', body);

test('round trip', () => {
  const r = decodeDiskCacheFile(file, 'segments/1/2/data.seg');
  assert.ok('body' in r);
  assert.equal([...(r as { body: Uint8Array }).body], [...body]);
  assert.ok('body' in decodeDiskCacheFile(encodeDiskCacheFile('k', new Uint8Array()), 'k'), 'an empty object');
});

test('a truncated, damaged or foreign file is refused', () => {
  const problem = (f: Uint8Array, key = 'segments/1/2/data.seg') => ('problem' in decodeDiskCacheFile(f, key) ? (decodeDiskCacheFile(f, key) as { problem: string }).problem : 'served');
  assert.match(problem(file.subarray(0, file.length - 1)), /holds 999 of 1000/);
  assert.match(problem(file.subarray(0, 10)), /truncated|not a disk/);
  for (const at of [0, 30, file.length - 1]) {
    const bad = file.slice();
    bad[at] = bad[at]! ^ 0x10;
    assert.is.not(problem(bad), 'served', `a bit flipped at ${at}`);
  }
  assert.match(problem(file, 'segments/1/3/data.seg'), /holds segments\/1\/2/);
  assert.match(problem(new Uint8Array(50)), /not a disk cache file/);
});

test.run();
