import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { analyzerOf, fieldAnalyzer, termFrequencies, textAnalysis, tokenize } from '../../messages/analyzer.js';
import { ValidationError } from '../../messages/errors.js';
import { ANALYZER_VERSION, checkAnalyzerParams } from '../../messages/text/analyzerParams.js';
import { checkMultiAnalyzerParams } from '../../messages/text/multiAnalyzer.js';
import { withAnalyzerVersion } from '../../messages/schema.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import { parseFilter } from '../../messages/filter/parser.js';
import { porterStem } from '../../messages/text/porterStemmer.js';

/** Analyzers (pure): the standard one as before, english (stop words, Porter stems), custom tokenizers and filters, bad params. */

test('the standard analyzer splits into letters, marks and digits, lowercased, exactly as stored rows were hashed', () => {
  const old = (text: string) => text.toLowerCase().split(/[^\p{L}\p{M}\p{N}]+/u).filter((t) => t.length > 0);
  for (const text of ['Hello, World! 42x', 'ÉCOLE naïve—café', 'İstanbul ΣΟΦΟΣ', '  ', 'a_b-c.d', '日本語 テキスト', 'MiXeD123abc']) {
    assert.equal(tokenize(text), old(text), text);
    assert.equal(fieldAnalyzer({}).tokens(text), old(text));
  }
  const en = fieldAnalyzer({ analyzerParams: { type: 'english' } });
  assert.equal(termFrequencies('runs RUNNING run', en), termFrequencies('run run run'), 'term counts by the analyzer: three of one stem');
  assert.is(termFrequencies('runs running run').indices.length, 3, 'the standard analyzer keeps three terms');
});

test('english: stop words dropped, words stemmed (Porter); spans keep where each term lies', () => {
  const en = fieldAnalyzer({ analyzerParams: { type: 'english' } });
  assert.equal(en.tokens('The dogs were Running to the connections'), ['dog', 'were', 'run', 'connect']);
  assert.equal(en.spans('The dogs ran'), [{ start: 4, end: 8, term: 'dog' }, { start: 9, end: 12, term: 'ran' }]);
  assert.equal(fieldAnalyzer({ analyzerParams: { type: 'english', stop_words: ['dogs'] } }).tokens('the dogs'), ['the'], 'stop words replace the list, before stemming');
  for (const [w, s] of [['caresses', 'caress'], ['ponies', 'poni'], ['relational', 'relat'], ['generalizations', 'gener'], ['hopping', 'hop'], ['sky', 'sky']]) assert.is(porterStem(w!), s, w);
});

test('the Porter stemmer gives the examples of Porter\'s paper (1980), step by step', () => {
  const examples: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', ties: 'ti', caress: 'caress', cats: 'cat', feed: 'feed', agreed: 'agre', plastered: 'plaster', bled: 'bled',
    motoring: 'motor', sing: 'sing', conflated: 'conflat', troubled: 'troubl', sized: 'size', hopping: 'hop', tanned: 'tan', falling: 'fall',
    hissing: 'hiss', fizzed: 'fizz', failing: 'fail', filing: 'file', happy: 'happi', sky: 'sky', relational: 'relat', conditional: 'condit',
    rational: 'ration', valenci: 'valenc', hesitanci: 'hesit', digitizer: 'digit', conformabli: 'conform', radicalli: 'radic', differentli: 'differ',
    vileli: 'vile', analogousli: 'analog', vietnamization: 'vietnam', predication: 'predic', operator: 'oper', feudalism: 'feudal',
    decisiveness: 'decis', hopefulness: 'hope', callousness: 'callous', formaliti: 'formal', sensitiviti: 'sensit', sensibiliti: 'sensibl',
    triplicate: 'triplic', formative: 'form', formalize: 'formal', electriciti: 'electr', electrical: 'electr', hopeful: 'hope', goodness: 'good',
    revival: 'reviv', allowance: 'allow', inference: 'infer', airliner: 'airlin', gyroscopic: 'gyroscop', adjustable: 'adjust', defensible: 'defens',
    irritant: 'irrit', replacement: 'replac', adjustment: 'adjust', dependent: 'depend', adoption: 'adopt', homologou: 'homolog', communism: 'commun',
    activate: 'activ', angulariti: 'angular', homologous: 'homolog', effective: 'effect', bowdlerize: 'bowdler', probate: 'probat', rate: 'rate',
    cease: 'ceas', controll: 'control', roll: 'roll', generalizations: 'gener', connections: 'connect', running: 'run', searching: 'search',
  };
  assert.is(Object.keys(examples).length, 79);
  for (const [word, stem] of Object.entries(examples)) assert.is(porterStem(word), stem, word);
  assert.is(porterStem('opinion'), 'opinion', '-ion drops only after s or t');
  assert.is(porterStem('Running'), 'Running', 'not lowercase letters only: left as it is');
});

test('custom: whitespace tokenizer, lowercase, asciifolding, alphanumonly, length, stop, stemmer in the given order', () => {
  const a = analyzerOf(checkAnalyzerParams({ tokenizer: 'whitespace', filter: ['lowercase', 'asciifolding', { type: 'length', max: 6 }, { type: 'stop', stop_words: ['_english_', 'cafe'] }] }));
  assert.equal(a.tokens('Naïve CAFÉ, élan-v'), ['naive', 'cafe,', 'elan-v'], 'whitespace tokens keep their punctuation');
  assert.equal(a.tokens('Naïve café the élan'), ['naive', 'elan'], 'folded, stop words (the list and cafe) dropped');
  assert.equal(a.tokens('short toolongword'), ['short'], 'longer than max dropped');
  const b = analyzerOf(checkAnalyzerParams({ tokenizer: 'standard', filter: ['alphanumonly', { type: 'stemmer', language: 'english' }] }));
  assert.equal(b.tokens('running Café x1 jumps Keys'), ['run', 'x1', 'jump', 'Key'], 'no lowercase filter: case kept (Snowball stems any letters: an upper-case one is a consonant); non-ASCII dropped');
  const old = analyzerOf(checkAnalyzerParams({ tokenizer: 'standard', filter: ['alphanumonly', { type: 'stemmer', language: 'english' }] }, 1));
  assert.equal(old.tokens('running Keys'), ['run', 'Keys'], 'revision 1: the Porter stemmer, which leaves a word with capitals as it is');
  assert.equal(analyzerOf(checkAnalyzerParams({})).tokens('Keep CASE'), ['Keep', 'CASE'], 'no filter at all: tokens as they are');
});

test('analyzer revisions: a field stored without one stems with Porter (1980) as its rows were hashed; revision 2 with Snowball English', () => {
  const params = { type: 'english' };
  const stored = fieldAnalyzer({ analyzerParams: params }), v1 = fieldAnalyzer({ analyzerParams: params, analyzerVersion: 1 }), v2 = fieldAnalyzer({ analyzerParams: params, analyzerVersion: ANALYZER_VERSION });
  const text = 'generous generalizations happily';
  assert.equal(stored.tokens(text), ['gener', 'gener', 'happili'], 'Porter conflates generous and generalizations');
  assert.equal(termFrequencies(text, stored), termFrequencies(text, v1), 'no revision is revision 1: the same hashes');
  assert.equal(v2.tokens(text), ['generous', 'general', 'happili'], 'Snowball keeps gener- words apart (its R1 exception)');
  assert.is(ANALYZER_VERSION, 2);
  assert.equal(withAnalyzerVersion({ fields: [{ name: 't', dataType: 'VarChar', enableAnalyzer: true }, { name: 'o', dataType: 'VarChar', enableAnalyzer: true, analyzerVersion: 1 }, { name: 'n', dataType: 'Int64' }] }).fields.map((f) => f.analyzerVersion),
    [ANALYZER_VERSION, 1, undefined], 'a new field gets the current revision; a given one is kept; an unanalyzed field gets none');
});

test('regex keeps the tokens its expression matches; removepunct drops tokens of punctuation only', () => {
  const a = analyzerOf(checkAnalyzerParams({ tokenizer: 'whitespace', filter: ['lowercase', { type: 'regex', expr: '^[a-z]+$' }] }));
  assert.equal(a.tokens('Hello wörld x1 foo, bar'), ['hello', 'bar']);
  const p = analyzerOf(checkAnalyzerParams({ tokenizer: 'whitespace', filter: ['removepunct'] }));
  assert.equal(p.tokens('well , done ! ... ok? «» $'), ['well', 'done', 'ok?'], 'a token with a letter stays');
});

test('multi_analyzer_params: each row\'s by_field value picks its analyzer (through alias), default for null, missing or unknown; queries name theirs', () => {
  const schema = {
    fields: [
      { name: 'text', dataType: 'VarChar', enableAnalyzer: true, analyzerVersion: 2, multiAnalyzerParams: { analyzers: { english: { type: 'english' }, ws: { tokenizer: 'whitespace' }, default: { type: 'standard' } }, by_field: 'lang', alias: { en: 'english' } } },
      { name: 'lang', dataType: 'VarChar' },
    ],
  };
  const t = textAnalysis(schema, 'text');
  assert.is(t.byField, 'lang');
  assert.equal(t.forRow('english').tokens('The Runners'), ['runner']);
  assert.equal(t.forRow('en').tokens('The Runners'), ['runner'], 'an alias');
  assert.equal(t.forRow('ws').tokens('The Runners,'), ['The', 'Runners,']);
  for (const v of [null, undefined, 'klingon', 7]) assert.equal(t.forRow(v).tokens('The Runners'), ['the', 'runners'], `default for ${String(v)}`);
  assert.equal(t.named(undefined).tokens('Running'), ['running']);
  assert.equal(t.named('en').tokens('Running'), ['run']);
  assert.throws(() => t.named('klingon'), (e: unknown) => e instanceof ValidationError && /analyzer_name 'klingon' names no analyzer/.test((e as Error).message));
  assert.equal(fieldAnalyzer(schema.fields[0]).tokens('Running'), ['running'], 'fieldAnalyzer of a multi-analyzer field: its default');
  assert.throws(() => textAnalysis({ fields: [{ name: 'x', dataType: 'VarChar' }] }, 'x').named('english'), /has one analyzer/);
  const full = { fields: [{ name: 'id', dataType: 'Int64' as const, isPrimary: true }, ...schema.fields.map((f) => ({ ...f, dataType: 'VarChar' as const, maxLength: 9 }))] };
  assert.equal([...compileFilter(parseFilter('text_match(text, "x")'), full).fields].sort(), ['lang', 'text'], 'text_match reads the by_field column too');
  const bad = (p: unknown, re: RegExp) => assert.throws(() => checkMultiAnalyzerParams(p, 'text', schema.fields), (e: unknown) => e instanceof ValidationError && re.test((e as Error).message), re.source);
  bad({ analyzers: { english: { type: 'english' } }, by_field: 'lang' }, /need a "default"/);
  bad({ analyzers: { default: {} }, by_field: 'nope' }, /'nope' is no field/);
  bad({ analyzers: { default: {} }, by_field: 'text' }, /another VarChar field/);
  bad({ analyzers: { default: {} } }, /by_field must name/);
  bad({ analyzers: { default: { type: 'klingon' } }, by_field: 'lang' }, /analyzer 'default': .*klingon/);
  bad({ analyzers: { default: {} }, by_field: 'lang', alias: { fr: 'french' } }, /alias 'fr' must name one of the analyzers/);
  bad({ analyzers: { default: {} }, by_field: 'lang', colour: 1 }, /unknown key 'colour'/);
});

test('bad analyzer_params are refused naming what is wrong', () => {
  const no = (p: unknown, re: RegExp) => assert.throws(() => checkAnalyzerParams(p), (e: unknown) => e instanceof ValidationError && re.test((e as Error).message));
  no('english', /must be an object/);
  no({ type: 'chinese' }, /no 'chinese' analyzer/);
  no({ type: 'english', filter: ['lowercase'] }, /takes no tokenizer or filter/);
  no({ tokenizer: 'jieba' }, /no 'jieba' tokenizer/);
  no({ filter: ['uppercase'] }, /filter\[0\]/);
  no({ filter: [{ type: 'stemmer', language: 'french' }] }, /stemmer language must be english or swedish .*"french"/);
  no({ filter: [{ type: 'length' }] }, /positive integer/);
  no({ filter: [{ type: 'stop', stop_words: 'the' }] }, /list of words/);
  no({ tokenizer: 'standard', colour: 1 }, /unknown key 'colour'/);
  no({ filter: [{ type: 'regex' }] }, /regex needs expr/);
  no({ filter: [{ type: 'regex', expr: '(' }] }, /not a regular expression/);
  no({ filter: [{ type: 'decompounder' }] }, /type must be length, stop, stemmer or regex/);
});

test.run();
