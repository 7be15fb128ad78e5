import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BFLOAT16_MAX, FLOAT16_MAX, fromBFloat16Bits, fromFloat16Bits, isFiniteHalf, toBFloat16Bits, toFloat16Bits } from '../../messages/halfFloat.js';
import { rng } from '../standalone/harness.js';

/**
 * Half precision: every finite pattern reads back as itself, and a number is
 * rounded to the nearest half, ties to the even pattern, as a naive search
 * over all the finite values of the format finds it.
 */
const finite = (bfloat: boolean) => Array.from({ length: 0x10000 }, (_, b) => b).filter((b) => isFiniteHalf(b, bfloat));
const valueOf = (bits: number, bfloat: boolean) => (bfloat ? fromBFloat16Bits(bits) : fromFloat16Bits(bits));
const toBits = (x: number, bfloat: boolean) => (bfloat ? toBFloat16Bits(x) : toFloat16Bits(x));

/** The nearest finite half to x by a scan of every positive value (ties: even pattern); null when x rounds past the largest. */
function naiveNearest(x: number, bfloat: boolean, positives: Array<{ bits: number; v: number }>): number | null {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0, a = Math.abs(Math.fround(x));
  let best = positives[0]!, bestGap = Infinity;
  for (const p of positives) {
    const gap = Math.abs(p.v - a);
    if (gap < bestGap || (gap === bestGap && (p.bits & 1) === 0)) { best = p; bestGap = gap; }
  }
  const max = bfloat ? BFLOAT16_MAX : FLOAT16_MAX, top = positives[positives.length - 1]!;
  // Past the largest value by half a step or more: infinity (IEEE rounding of an overflow).
  const step = top.v - positives[positives.length - 2]!.v;
  if (a >= max + step / 2) return null;
  return sign | best.bits;
}

for (const bfloat of [false, true]) {
  const name = bfloat ? 'bfloat16' : 'float16';
  const all = finite(bfloat);
  const positives = all.filter((b) => b < 0x8000).map((bits) => ({ bits, v: valueOf(bits, bfloat) })).sort((a, b) => a.v - b.v);

  test(`${name}: every finite pattern round-trips through its value`, () => {
    for (const b of all) assert.is(toBits(valueOf(b, bfloat), bfloat), b, `pattern ${b.toString(16)}`);
  });

  test(`${name}: numbers round to the nearest value, ties to even, as a scan of all values finds`, () => {
    const r = rng(bfloat ? 7 : 8);
    const samples: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const e = Math.floor(r() * (bfloat ? 60 : 40)) - (bfloat ? 30 : 26);
      samples.push((r() * 2 - 1) * 2 ** e);
    }
    // Exact midpoints between neighbours, where only the tie rule decides.
    for (let i = 0; i + 1 < positives.length; i += 37) samples.push((positives[i]!.v + positives[i + 1]!.v) / 2);
    for (const x of samples) {
      if (!Number.isFinite(Math.fround(x))) continue;
      const want = naiveNearest(x, bfloat, positives);
      const got = toBits(x, bfloat);
      if (want === null) assert.not.ok(isFiniteHalf(got, bfloat), `${x} overflows`);
      else assert.is(got, want, `${x}`);
    }
  });

  test(`${name}: range ends, overflow to infinity, NaN stays NaN`, () => {
    const max = bfloat ? BFLOAT16_MAX : FLOAT16_MAX;
    assert.is(valueOf(toBits(max, bfloat), bfloat), max);
    assert.is(valueOf(toBits(-max, bfloat), bfloat), -max);
    assert.not.ok(isFiniteHalf(toBits(max * 1.01, bfloat), bfloat), 'past the largest value');
    assert.not.ok(isFiniteHalf(toBits(NaN, bfloat), bfloat));
    assert.ok(Number.isNaN(valueOf(toBits(NaN, bfloat), bfloat)));
    assert.is(valueOf(toBits(-0, bfloat), bfloat), -0);
  });
}

test('float16: the rounding cases by hand', () => {
  assert.is(fromFloat16Bits(toFloat16Bits(1 + 2 ** -11)), 1, 'a tie goes to the even mantissa (down)');
  assert.is(fromFloat16Bits(toFloat16Bits(1 + 3 * 2 ** -11)), 1 + 2 ** -9, 'a tie goes to the even mantissa (up)');
  assert.is(fromFloat16Bits(toFloat16Bits(65519)), 65504);
  assert.not.ok(isFiniteHalf(toFloat16Bits(65520), false), '65520 rounds to infinity');
  assert.is(fromFloat16Bits(toFloat16Bits(2 ** -25)), 0, 'half the smallest subnormal ties to zero');
  assert.is(fromFloat16Bits(toFloat16Bits(1.5 * 2 ** -25)), 2 ** -24);
  assert.is(fromFloat16Bits(toFloat16Bits(0.1)), 0.0999755859375);
});

test('bfloat16: the rounding cases by hand', () => {
  assert.is(fromBFloat16Bits(toBFloat16Bits(1 + 2 ** -8)), 1, 'a tie goes to the even mantissa (down)');
  assert.is(fromBFloat16Bits(toBFloat16Bits(1 + 3 * 2 ** -8)), 1 + 2 ** -6, 'a tie goes to the even mantissa (up)');
  assert.is(fromBFloat16Bits(toBFloat16Bits(0.1)), 0.10009765625);
});

test.run();
