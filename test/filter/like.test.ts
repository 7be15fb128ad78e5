/** Specifies `like` matching, against a RegExp rendering of the same pattern. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileLike } from '../../messages/filter/index.js';
import { pick, rng } from './fixtures.js';
import { likeRegExp } from './referenceInterpreter.js';

test('the common shapes', () => {
  const m = (p: string, s: string) => compileLike(p)(s);
  assert.ok(m('abc%', 'abcdef')); assert.not.ok(m('abc%', 'xabc'));
  assert.ok(m('%def', 'abcdef')); assert.not.ok(m('%def', 'defx'));
  assert.ok(m('%cd%', 'abcdef')); assert.not.ok(m('%cd%', 'abdc'));
  assert.ok(m('abc', 'abc')); assert.not.ok(m('abc', 'abcd'));
  assert.ok(m('%', '')); assert.ok(m('', '')); assert.not.ok(m('', 'a'));
  assert.ok(m('a%b%c', 'a-b-c')); assert.not.ok(m('ab%ba', 'aba'));
  assert.ok(m('a_c', 'abc')); assert.ok(m('a_c', 'aÅc')); assert.ok(m('a_c', 'a😀c')); assert.not.ok(m('a_c', 'ac'));
  assert.ok(m('100\\%', '100%')); assert.not.ok(m('100\\%', '1000'));
  assert.ok(m('a\\_b', 'a_b')); assert.not.ok(m('a\\_b', 'axb'));
  assert.ok(m('a\\\\b', 'a\\b'));
  assert.ok(m('%a%a%a%a%a%a%a%a%b', 'a'.repeat(40) + 'b')); assert.not.ok(m('%a%a%a%a%a%a%a%a%b', 'a'.repeat(4000)));
  assert.not.ok(m('%a_a_a_a_a_a_a_b', 'a'.repeat(4000)));
});

test('agrees with the RegExp rendering on random patterns and strings', () => {
  const r = rng(7);
  const alphabet = ['a', 'b', 'Å', '😀', '%', '_', '\\'];
  const word = (n: number) => Array.from({ length: Math.floor(r() * n) }, () => pick(r, alphabet)).join('');
  for (let i = 0; i < 3000; i++) {
    const p = word(7), matcher = compileLike(p), re = likeRegExp(p);
    for (let j = 0; j < 10; j++) {
      const s = word(9).replace(/[%_\\]/g, () => pick(r, ['a', 'b', '%', '_']));
      assert.is(matcher(s), re.test(s), `${JSON.stringify(p)} on ${JSON.stringify(s)}`);
    }
  }
});

test.run();
