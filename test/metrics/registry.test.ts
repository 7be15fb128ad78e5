/**
 * The metrics registry and its text exposition: what a scraper reads back is
 * what was counted, in a well-formed Prometheus 0.0.4 document.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatValue } from '../../runtime/metrics/exposition.js';
import { measure, operation } from '../../runtime/metrics/operation.js';
import { MetricsRegistry } from '../../runtime/metrics/registry.js';
import { parseExposition, valueOf } from './parseExposition.js';

test('counters with labels: each label set is its own series, with what was added to it', () => {
  const r = new MetricsRegistry();
  const appended = r.counter({ name: 'nuthatch_test_appended_total', help: 'Messages appended.', labels: ['pchannel', 'type'] });
  const insert = appended.labels('dml_0', 'Insert');
  insert.inc();
  insert.inc(4);
  appended.labels('dml_1', 'Delete').inc(2);
  assert.is(appended.labels('dml_0', 'Insert'), insert, 'the same label values give the same child');
  const f = parseExposition(r.render()).get('nuthatch_test_appended_total')!;
  assert.is(f.type, 'counter');
  assert.is(f.help, 'Messages appended.');
  assert.equal(f.samples, [
    { name: 'nuthatch_test_appended_total', labels: { pchannel: 'dml_0', type: 'Insert' }, value: 5 },
    { name: 'nuthatch_test_appended_total', labels: { pchannel: 'dml_1', type: 'Delete' }, value: 2 },
  ]);
});

test('label values with backslashes, quotes and line feeds are escaped and read back unchanged', () => {
  const r = new MetricsRegistry();
  const odd = ['C:\\DIR\\FILE.TXT', 'say "hi"', 'two\nlines', '\\"\n\\n', '', 'ünïcödé {}=,'];
  const c = r.counter({ name: 'nuthatch_test_odd_total', help: 'Help with a \\ backslash\nand a second line.', labels: ['v'] });
  odd.forEach((v, i) => c.labels(v).inc(i + 1));
  const text = r.render();
  assert.ok(text.includes('v="C:\\\\DIR\\\\FILE.TXT"'), text);
  assert.ok(text.includes('v="say \\"hi\\""'), text);
  assert.ok(text.includes('v="two\\nlines"'), text);
  assert.is(text.split('\n').length, odd.length + 3, 'one line per sample: no raw line feed inside one');
  const f = parseExposition(text).get('nuthatch_test_odd_total')!;
  assert.is(f.help, 'Help with a \\ backslash\nand a second line.');
  assert.equal(f.samples.map((s) => [s.labels.v, s.value]), odd.map((v, i) => [v, i + 1]));
});

test('histograms: cumulative buckets (an upper bound is inclusive), +Inf equal to the count, sum and count', () => {
  const r = new MetricsRegistry();
  const h = r.histogram({ name: 'nuthatch_test_duration_seconds', help: 'How long.', labels: ['op'], buckets: [0.1, 1, 10] });
  for (const v of [0.05, 0.1, 0.5, 5, 50]) h.labels('search').observe(v);
  h.labels('query').observe(2);
  const text = r.render();
  assert.ok(text.includes('nuthatch_test_duration_seconds_bucket{op="search",le="+Inf"} 5\n'), text);
  const fams = parseExposition(text);
  const f = fams.get('nuthatch_test_duration_seconds')!;
  assert.is(f.type, 'histogram');
  const buckets = f.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.op === 'search').map((s) => [s.labels.le, s.value]);
  assert.equal(buckets, [['0.1', 2], ['1', 3], ['10', 4], ['+Inf', 5]]);
  assert.is(valueOf(fams, 'nuthatch_test_duration_seconds_count', { op: 'search' }), 5);
  assert.ok(Math.abs(valueOf(fams, 'nuthatch_test_duration_seconds_sum', { op: 'search' }) - 55.65) < 1e-9);
  assert.equal(f.samples.filter((s) => s.labels.op === 'query' && s.name.endsWith('_bucket')).map((s) => s.value), [0, 0, 1, 1]);
});

test('a family without labels shows 0 from the start; a labelled one shows once it has a child', () => {
  const r = new MetricsRegistry();
  r.counter({ name: 'nuthatch_test_plain_total', help: 'Plain.' });
  const labelled = r.counter({ name: 'nuthatch_test_labelled_total', help: 'Labelled.', labels: ['x'] });
  let fams = parseExposition(r.render());
  assert.equal(fams.get('nuthatch_test_plain_total')!.samples, [{ name: 'nuthatch_test_plain_total', labels: {}, value: 0 }]);
  assert.not.ok(fams.has('nuthatch_test_labelled_total'));
  labelled.labels('a');
  fams = parseExposition(r.render());
  assert.is(fams.get('nuthatch_test_labelled_total')!.samples.length, 1);
});

test('gauges go up and down; collectors set sampled ones at each render until removed', () => {
  const r = new MetricsRegistry();
  const g = r.gauge({ name: 'nuthatch_test_loaded_segments', help: 'Loaded.', labels: ['node_id'] }).labels('qn-1');
  g.inc(3);
  g.dec();
  let samples = 0;
  const sampled = r.gauge({ name: 'nuthatch_test_sampled', help: 'Sampled.' }).labels();
  const remove = r.onCollect(() => sampled.set(++samples));
  assert.is(valueOf(parseExposition(r.render()), 'nuthatch_test_loaded_segments', { node_id: 'qn-1' }), 2);
  assert.is(valueOf(parseExposition(r.render()), 'nuthatch_test_sampled'), 2);
  remove();
  assert.is(valueOf(parseExposition(r.render()), 'nuthatch_test_sampled'), 2);
});

test('the same definition gives the same family (actors of one kind share it); another definition is refused', () => {
  const r = new MetricsRegistry();
  const d = { name: 'nuthatch_test_reads_total', help: 'Reads.', labels: ['node_id'] };
  const a = r.counter(d);
  assert.is(r.counter({ ...d, labels: [...d.labels] }), a);
  assert.throws(() => r.counter({ ...d, labels: ['node'] }), /another definition/);
  assert.throws(() => r.gauge({ name: 'nuthatch_test_reads_total', help: 'Reads.', labels: ['node_id'] }), /another definition/);
  assert.throws(() => r.histogram({ name: 'nuthatch_test_h_seconds', help: 'H.', buckets: [1, 2] }) && r.histogram({ name: 'nuthatch_test_h_seconds', help: 'H.', buckets: [1, 3] }), /another definition/);
});

test('names, labels, buckets and updates that break the conventions are refused', () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter({ name: 'nuthatch_test_reads', help: 'x' }), /_total/);
  assert.throws(() => r.gauge({ name: 'nuthatch-test', help: 'x' }), /not a valid metric name/);
  assert.throws(() => r.gauge({ name: 'nuthatch_test_g', help: 'x', labels: ['__reserved'] }), /label name/);
  assert.throws(() => r.gauge({ name: 'nuthatch_test_g2', help: 'x', labels: ['a', 'a'] }), /repeats/);
  assert.throws(() => r.histogram({ name: 'nuthatch_test_h', help: 'x', labels: ['le'] }), /le/);
  assert.throws(() => r.histogram({ name: 'nuthatch_test_h2', help: 'x', buckets: [1, 1] }), /increase/);
  assert.throws(() => r.histogram({ name: 'nuthatch_test_h3', help: 'x', buckets: [1, Infinity] }), /finite/);
  const c = r.counter({ name: 'nuthatch_test_c_total', help: 'x', labels: ['a', 'b'] });
  assert.throws(() => c.labels('only-one'), /takes 2 label values/);
  assert.throws(() => c.labels('a', 'b').inc(-1), /only goes up/);
});

test('special values are spelled as Go reads them', () => {
  assert.is(formatValue(Infinity), '+Inf');
  assert.is(formatValue(-Infinity), '-Inf');
  assert.is(formatValue(NaN), 'NaN');
  assert.is(formatValue(0.25), '0.25');
  assert.is(formatValue(1e-7), '1e-7');
  const r = new MetricsRegistry();
  r.gauge({ name: 'nuthatch_test_inf', help: 'x' }).labels().set(-Infinity);
  assert.is(valueOf(parseExposition(r.render()), 'nuthatch_test_inf'), -Infinity);
});

test('measure counts an operation as ok or error and observes its duration either way', async () => {
  const r = new MetricsRegistry();
  const count = r.counter({ name: 'nuthatch_test_ops_total', help: 'Ops.', labels: ['node_id', 'op', 'result'] });
  const seconds = r.histogram({ name: 'nuthatch_test_op_duration_seconds', help: 'Op time.', labels: ['node_id', 'op'] });
  const op = operation(count, seconds, 'n1', 'search');
  assert.is(await measure(op, async () => 7), 7);
  await measure(op, async () => { throw new Error('boom'); }).then(() => assert.unreachable('resolved'), (e) => assert.is((e as Error).message, 'boom'));
  const fams = parseExposition(r.render());
  assert.is(valueOf(fams, 'nuthatch_test_ops_total', { op: 'search', result: 'ok' }), 1);
  assert.is(valueOf(fams, 'nuthatch_test_ops_total', { op: 'search', result: 'error' }), 1);
  assert.is(valueOf(fams, 'nuthatch_test_op_duration_seconds_count', { node_id: 'n1', op: 'search' }), 2);
});

test('the reader of these tests refuses malformed documents (so parsing a scrape checks it)', () => {
  const bad = [
    'x 1',
    '# TYPE x counter\nx{a="b} 1\n',
    '# TYPE x counter\nx{a="\\t"} 1\n',
    '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx 2\n',
    'x 1\n# TYPE x gauge\n',
    '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',
    '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    '# TYPE x gauge\nx one\n',
  ];
  for (const text of bad) assert.throws(() => parseExposition(text), undefined, JSON.stringify(text));
});

test.run();
