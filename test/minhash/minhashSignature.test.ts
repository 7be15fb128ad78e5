import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../messages/errors.js';
import { analyzerOf } from '../../messages/analyzer.js';
import { STANDARD_ANALYZER } from '../../messages/text/analyzerParams.js';
import { xxh32 } from '../../messages/minhash/xxhash32.js';
import { minhashParamsOf } from '../../messages/minhash/minhashParams.js';
import { minhashBytes, shinglesOf, signatureOfShingles } from '../../messages/minhash/minhashSignature.js';
import { mhJaccardScorer } from '../../actors/shared/vector/minhashDistance.js';
import { mulberry32 } from '../../bench/support/dataset.js';

/**
 * The MinHash function: xxh32 is the reference XXH32; shingles are as
 * Milvus's docs show them; the share of equal signature values estimates
 * the Jaccard similarity of the shingle sets without bias, within binomial
 * bounds; the signature of a text is the same in another process; params
 * are checked with typed errors.
 */
const utf8 = new TextEncoder();
const standard = analyzerOf(STANDARD_ANALYZER);

test('xxh32 gives the reference XXH32 values', () => {
  // From the xxHash reference implementation's test vectors (seed 0).
  assert.is(xxh32(utf8.encode(''), 0), 0x02cc5d05);
  assert.is(xxh32(utf8.encode('a'), 0), 0x550d7456);
  assert.is(xxh32(utf8.encode('abc'), 0), 0x32d153ff);
  assert.is(xxh32(utf8.encode('Nobody inspects the spammish repetition'), 0), 0xe2293b2f);
});

test('word shingles are runs of analyzer terms; char shingles runs of code points', () => {
  assert.equal(shinglesOf('Information retrieval is a field', { shingleSize: 3, tokenLevel: 'word' }, standard),
    ['information retrieval is', 'retrieval is a', 'is a field']);
  assert.equal(shinglesOf('two words', { shingleSize: 3, tokenLevel: 'word' }, standard), ['two words']);
  assert.equal(shinglesOf('', { shingleSize: 3, tokenLevel: 'word' }, standard), []);
  assert.equal(shinglesOf('abcd', { shingleSize: 2, tokenLevel: 'char' }, standard), ['ab', 'bc', 'cd']);
});

/** Sets of `union` shingles of which `shared` are in both: Jaccard shared / union. */
function setPair(shared: number, union: number, tag: string): [string[], string[]] {
  const only = union - shared, a: string[] = [], b: string[] = [];
  for (let i = 0; i < shared; i++) { a.push(`${tag} s${i}`); b.push(`${tag} s${i}`); }
  for (let i = 0; i < only; i++) (i % 2 ? a : b).push(`${tag} o${i}`);
  return [a, b];
}

const agreement = (x: Uint32Array, y: Uint32Array) => x.reduce((n, v, i) => n + (v === y[i] ? 1 : 0), 0) / x.length;

test('the share of equal values estimates the true Jaccard within binomial bounds, and without bias', () => {
  const n = 256;
  for (const [shared, union] of [[10, 100], [30, 100], [50, 100], [80, 100], [95, 100], [0, 60], [60, 60]] as const) {
    const j = shared / union, sd = Math.sqrt((j * (1 - j)) / n);
    let sum = 0;
    const pairs = 40;
    for (let p = 0; p < pairs; p++) {
      const [a, b] = setPair(shared, union, `pair${p}`);
      const est = agreement(signatureOfShingles(a, n, 1234 + p), signatureOfShingles(b, n, 1234 + p));
      // One estimate: within 4.5 standard deviations (a miss once in ~150,000 draws).
      assert.ok(Math.abs(est - j) <= 4.5 * sd + 1e-12, `J=${j} pair ${p}: estimate ${est}`);
      sum += est;
    }
    // The mean of 40 independent estimates: within 4.5 standard errors of J (no bias).
    assert.ok(Math.abs(sum / pairs - j) <= (4.5 * sd) / Math.sqrt(pairs) + 1e-12, `J=${j}: mean estimate ${sum / pairs}`);
  }
});

test('MHJACCARD of two MinHash function outputs is their share of equal 32-bit values', () => {
  const p = minhashParamsOf({ num_hashes: 64 }, 64 * 32, 'f');
  const a = minhashBytes('the quick brown fox jumps over the lazy dog today', p, standard);
  const b = minhashBytes('the quick brown fox jumps over the lazy cat today', p, standard);
  const sa = new Uint32Array(a.slice().buffer), sb = new Uint32Array(b.slice().buffer);
  const score = mhJaccardScorer(a, a.length, b, 4);
  assert.is(score(0), agreement(sa, sb));
  assert.is(mhJaccardScorer(a, a.length, a, 4)(0), 1);
});

test('a signature is the same in another process, and changes with the seed', () => {
  const p = minhashParamsOf({ num_hashes: 16, seed: 7 }, 512, 'f');
  const here = Buffer.from(minhashBytes('near duplicate detection at scale', p, standard)).toString('hex');
  const module = fileURLToPath(new URL('../../messages/minhash/minhashSignature.js', import.meta.url));
  const analyzer = fileURLToPath(new URL('../../messages/analyzer.js', import.meta.url));
  const params = fileURLToPath(new URL('../../messages/text/analyzerParams.js', import.meta.url));
  const script = `const m = await import(${JSON.stringify(module)}); const a = await import(${JSON.stringify(analyzer)}); const s = await import(${JSON.stringify(params)});
    process.stdout.write(Buffer.from(m.minhashBytes('near duplicate detection at scale', ${JSON.stringify(p)}, a.analyzerOf(s.STANDARD_ANALYZER))).toString('hex'));`;
  const there = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.is(there, here);
  const other = Buffer.from(minhashBytes('near duplicate detection at scale', { ...p, seed: 8 }, standard)).toString('hex');
  assert.is.not(other, here);
});

test('MinHash params: defaults, case-insensitive names, typed errors', () => {
  assert.equal(minhashParamsOf(undefined, 8192, 'f'), { numHashes: 256, shingleSize: 3, tokenLevel: 'word', seed: 1234 });
  assert.equal(minhashParamsOf({ NUM_HASHES: '4', Token_Level: 'character', shingle_size: 5, seed: '9' }, 128, 'f'), { numHashes: 4, shingleSize: 5, tokenLevel: 'char', seed: 9 });
  const bad: Array<[Record<string, unknown>, number, RegExp]> = [
    [{ num_hashes: 3 }, 128, /32 \* num_hashes/],
    [{}, 100, /multiple of 32/],
    [{ token_level: 'sentence' }, 128, /token_level/],
    [{ hash_function: 'sha1' }, 128, /sha1 is not supported/],
    [{ shingles: 3 }, 128, /no param 'shingles'/],
    [{ shingle_size: 0 }, 128, /shingle_size/],
    [{ seed: -1 }, 128, /seed/],
  ];
  for (const [params, dim, msg] of bad) {
    try { minhashParamsOf(params, dim, 'f'); assert.unreachable(JSON.stringify(params)); } catch (e) {
      assert.instance(e, ValidationError);
      assert.match((e as Error).message, msg);
    }
  }
});

test('signatures of random texts: equal texts equal, a word changed moves few values', () => {
  const r = mulberry32(5), words = Array.from({ length: 300 }, (_, i) => `w${i}`);
  const p = minhashParamsOf({ num_hashes: 128, shingle_size: 1 }, 4096, 'f');
  const text = Array.from({ length: 60 }, () => words[Math.floor(r() * words.length)]).join(' ');
  assert.equal(minhashBytes(text, p, standard), minhashBytes(text, p, standard));
  const edited = text.split(' ').map((w, i) => (i === 10 ? 'zzz' : w)).join(' ');
  const s = mhJaccardScorer(minhashBytes(text, p, standard), 512, minhashBytes(edited, p, standard), 4)(0);
  assert.ok(s > 0.8 && s < 1, `one word of 60 changed: ${s}`);
});

test.run();
