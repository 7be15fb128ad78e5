import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';
import { parseNodeOptions } from '../../runtime/cluster/nodeOptions.js';

/** `nuthatch node` flags: WAL retention in milliseconds or `forever`, from the flag or the environment. */
const role = ['--role', 'streaming-node'];

test('--wal-retention-ms takes milliseconds, or forever', () => {
  assert.is(parseNodeOptions([...role, '--wal-retention-ms', '0'], {}).walRetentionMs, 0);
  assert.is(parseNodeOptions([...role, '--wal-retention-ms', '3600000'], {}).walRetentionMs, 3_600_000);
  assert.is(parseNodeOptions([...role, '--wal-retention-ms', 'forever'], {}).walRetentionMs, Infinity);
  assert.is(parseNodeOptions(role, {}).walRetentionMs, undefined, 'unset: the streaming node default applies');
});

test('NUTHATCH_WAL_RETENTION_MS supplies it; the flag wins', () => {
  assert.is(parseNodeOptions(role, { NUTHATCH_WAL_RETENTION_MS: 'forever' }).walRetentionMs, Infinity);
  assert.is(parseNodeOptions([...role, '--wal-retention-ms', '5'], { NUTHATCH_WAL_RETENTION_MS: 'forever' }).walRetentionMs, 5);
});

test('anything else is an InvalidArgument that names the flag', () => {
  for (const bad of ['-1', '1.5', 'soon', '1e20']) {
    try {
      parseNodeOptions([...role, '--wal-retention-ms', bad], {});
      assert.unreachable(`accepted '${bad}'`);
    } catch (e) {
      assert.instance(e, NuthatchError);
      assert.is((e as NuthatchError).code, 'InvalidArgument');
      assert.match((e as Error).message, /--wal-retention-ms/);
    }
  }
});

test('compaction: period and grace in ms (0 turns compaction off), from flags or NUTHATCH_COMPACTION_*; a bad value names its flag', () => {
  const o = parseNodeOptions([...role, '--compaction-interval-ms', '0', '--compaction-grace-ms', '500'], {});
  assert.equal(o.compaction, { intervalMs: 0, graceMs: 500 });
  assert.equal(parseNodeOptions(role, { NUTHATCH_COMPACTION_INTERVAL_MS: '2000' }).compaction, { intervalMs: 2000 });
  assert.equal(parseNodeOptions(role, {}).compaction, {}, 'unset: the coordinator defaults apply');
  assert.equal(parseNodeOptions([...role, '--merge-segments', '0'], {}).compaction, { mergeSegments: 0 }, 'merges off');
  assert.equal(parseNodeOptions(role, { NUTHATCH_MERGE_SEGMENTS: '8' }).compaction, { mergeSegments: 8 });
  assert.throws(() => parseNodeOptions([...role, '--compaction-grace-ms', 'soon'], {}), (e: Error) => e instanceof NuthatchError && e.code === 'InvalidArgument' && /--compaction-grace-ms/.test(e.message));
});

test('delete log trim: --trim-after-entries (or NUTHATCH_TRIM_AFTER_ENTRIES) is a count of at least 1; a bad value names its flag', () => {
  assert.equal(parseNodeOptions([...role, '--trim-after-entries', '20'], {}).compaction, { trimAfterEntries: 20 });
  assert.equal(parseNodeOptions(role, { NUTHATCH_TRIM_AFTER_ENTRIES: '5000' }).compaction, { trimAfterEntries: 5000 });
  for (const bad of ['0', '-1', '1.5', 'many']) {
    assert.throws(() => parseNodeOptions([...role, '--trim-after-entries', bad], {}), (e: Error) => e instanceof NuthatchError && e.code === 'InvalidArgument' && /--trim-after-entries/.test(e.message), `refused '${bad}'`);
  }
});

test('orphan sweep: period and tolerance in ms (0 turns it off), from flags or NUTHATCH_GC_*; a bad value names its flag', () => {
  assert.equal(parseNodeOptions([...role, '--gc-interval-ms', '0', '--gc-tolerance-ms', '2000'], {}).orphans, { intervalMs: 0, toleranceMs: 2000 });
  assert.equal(parseNodeOptions(role, { NUTHATCH_GC_TOLERANCE_MS: '60000' }).orphans, { toleranceMs: 60_000 });
  assert.equal(parseNodeOptions(role, {}).orphans, {}, 'unset: the coordinator defaults apply');
  assert.throws(() => parseNodeOptions([...role, '--gc-tolerance-ms', '-1'], {}), (e: Error) => e instanceof NuthatchError && /--gc-tolerance-ms/.test(e.message));
});

test('metrics: --metrics-port (0: a free one) and --metrics-host, from flags or NUTHATCH_METRICS_*; no metrics server unless asked', () => {
  const o = parseNodeOptions([...role, '--metrics-port', '0', '--metrics-host', '0.0.0.0'], {});
  assert.equal([o.metricsPort, o.metricsHost], [0, '0.0.0.0']);
  assert.equal([parseNodeOptions(role, { NUTHATCH_METRICS_PORT: '9091' }).metricsPort, parseNodeOptions(role, {}).metricsPort], [9091, undefined]);
  assert.is(parseNodeOptions(role, {}).metricsHost, '127.0.0.1');
  assert.throws(() => parseNodeOptions([...role, '--metrics-port', '70000'], {}), (e: Error) => e instanceof NuthatchError && /--metrics-port/.test(e.message));
});

test('tiered storage: --tiered-storage K=V under Milvus names, or NUTHATCH_TIERED_STORAGE; off unless asked; a bad one is refused', () => {
  assert.is(parseNodeOptions(role, {}).tieredStorage.enabled, false);
  const o = parseNodeOptions([...role, '--tiered-storage', 'enabled=true,warmup.vectorIndex=disable,evictionEnabled=true,memoryBudgetBytes=65536'], {}).tieredStorage;
  assert.equal([o.enabled, o.warmup.vectorIndex, o.evictionEnabled, o.memoryBudgetBytes], [true, 'disable', true, 65_536]);
  assert.is(parseNodeOptions(role, { NUTHATCH_TIERED_STORAGE: 'enabled=true' }).tieredStorage.enabled, true);
  assert.throws(() => parseNodeOptions([...role, '--tiered-storage', 'warmup.vectorIndex=lazy'], {}), (e: Error) => e instanceof NuthatchError && e.code === 'InvalidArgument' && /warmup\.vectorIndex/.test(e.message));
});

test('JSON shredding: --json-shredding K=V under Milvus names (section optional), or NUTHATCH_JSON_SHREDDING; a bad one is refused', () => {
  assert.equal(parseNodeOptions(role, {}).jsonShredding, { enabledJSONShredding: true, jsonShreddingRatioThreshold: 0.3, jsonShreddingMaxColumns: 1024 });
  for (const r of ['query-node', 'data-node', 'streaming-node']) {
    const o = parseNodeOptions(['--role', r, '--json-shredding', 'common.enabledJSONShredding=false,jsonShreddingRatioThreshold=0.5,dataCoord.jsonShreddingMaxColumns=7'], {}).jsonShredding;
    assert.equal(o, { enabledJSONShredding: false, jsonShreddingRatioThreshold: 0.5, jsonShreddingMaxColumns: 7 }, r);
  }
  assert.is(parseNodeOptions(role, { NUTHATCH_JSON_SHREDDING: 'jsonShreddingMaxColumns=3' }).jsonShredding.jsonShreddingMaxColumns, 3);
  assert.is(parseNodeOptions([...role, '--json-shredding', 'jsonShreddingMaxColumns=5'], { NUTHATCH_JSON_SHREDDING: 'jsonShreddingMaxColumns=3' }).jsonShredding.jsonShreddingMaxColumns, 5, 'the flag wins');
  for (const [text, says] of [
    ['jsonShreddingRatioThreshold=1.5', /jsonShreddingRatioThreshold must be a number in \[0, 1\], not 1.5/],
    ['jsonShreddingRatioThreshold=', /jsonShreddingRatioThreshold must be a number/],
    ['jsonShreddingMaxColumns=-1', /jsonShreddingMaxColumns must be a non-negative integer/],
    ['jsonShreddingMaxColumns=2.5', /jsonShreddingMaxColumns must be a non-negative integer/],
    ['enabledJSONShredding=yes', /enabledJSONShredding must be true or false/],
    ['common.jsonShreddingMaxColumns=4', /unknown setting 'common.jsonShreddingMaxColumns'/],
    ['shredAll=true', /unknown setting 'shredAll'/],
  ] as const) {
    assert.throws(() => parseNodeOptions(['--role', 'query-node', '--json-shredding', text], {}), (e: Error) => e instanceof NuthatchError && e.code === 'InvalidArgument' && /--json-shredding/.test(e.message) && says.test(e.message), text);
  }
});

test.run();
