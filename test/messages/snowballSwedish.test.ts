import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyzerOf } from '../../messages/analyzer.js';
import { checkAnalyzerParams } from '../../messages/text/analyzerParams.js';
import { snowballSwedishStem } from '../../messages/text/snowballSwedish.js';

/**
 * The Snowball Swedish stemmer against Snowball's vocabulary (snowballstem/
 * snowball-data swedish/voc.txt and output.txt, their first 392 words,
 * a..ametyst, in test/fixtures/snowball-swedish/), words worked by hand
 * through each step, and as the stemmer filter with language swedish.
 */
const dir = fileURLToPath(new URL('../../../test/fixtures/snowball-swedish/', import.meta.url));
const lines = (name: string) => readFileSync(dir + name, 'utf8').split('\n').filter((l) => l.length > 0);

test('Snowball\'s vocabulary: every word stems as Snowball\'s output says', () => {
  const words = lines('voc.txt'), stems = lines('output.txt');
  assert.is(words.length, stems.length);
  const wrong = words.flatMap((w, i) => (snowballSwedishStem(w) === stems[i] ? [] : [`${w} -> ${snowballSwedishStem(w)}, expected ${stems[i]}`]));
  assert.equal(wrong, []);
});

test('worked by hand: R1 at least three letters in, the longest ending within R1, s-endings, consonant pairs, Step 3', () => {
  const cases: Record<string, string> = {
    // R1 of "adlades" starts at 3 (after "adl"): the longest ending in R1 is -ades.
    adlades: 'adl',
    // "bilen": R1 after "bil" (3); -en lies in it.
    bilen: 'bil',
    // "hus": R1 is empty (3 = its length): no ending drops, not even s.
    hus: 'hus',
    // -s in R1 after a valid s-ending (k) goes; after one that is not (å), it stays.
    kaks: 'kak', fiskås: 'fiskås',
    // Step 2: -kt in R1 loses its last letter (friskt -> frisk), as the algorithm's example.
    friskt: 'frisk',
    // Step 3: -lig dropped, -löst and -fullt shortened.
    vänlig: 'vän', hjälplöst: 'hjälplös', aktningsfullt: 'aktningsfull',
  };
  for (const [w, s] of Object.entries(cases)) assert.is(snowballSwedishStem(w), s, w);
});

test('the stemmer filter with language swedish', () => {
  const a = analyzerOf(checkAnalyzerParams({ tokenizer: 'standard', filter: ['lowercase', { type: 'stemmer', language: 'swedish' }] }));
  assert.equal(a.tokens('Bilen och bilarna'), ['bil', 'och', 'bil']);
});

test.run();
