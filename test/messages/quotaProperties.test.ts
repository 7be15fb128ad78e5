import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProperties, propertyList, propertyNames } from '../../messages/collectionProperties.js';
import { checkKnownProperty, policyOf } from '../../messages/databaseProperties.js';
import { isNewer, parseQuotaDefaults } from '../../messages/admission.js';
import { NuthatchError } from '../../messages/errors.js';

/** The rate and quota keys, by Milvus's names: collection properties, database properties, the cluster's `--quota`. */

const codeOf = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };

test('collection rate and quota properties take numbers >= 0, as numbers or numeric strings', () => {
  const p = parseProperties({ 'collection.insertRate.max.mb': '0.5', 'collection.upsertRate.max.mb': 1, 'collection.deleteRate.max.mb': 0, 'collection.searchRate.max.vps': '100', 'collection.queryRate.max.qps': 3, 'collection.diskProtection.diskQuota.mb': '2.5' });
  assert.equal(p, { insertRateMaxMb: 0.5, upsertRateMaxMb: 1, deleteRateMaxMb: 0, searchRateMaxVps: 100, queryRateMaxQps: 3, diskQuotaMb: 2.5 });
  assert.equal(propertyList(p).map((x) => `${x.key}=${x.value}`), [
    'collection.insertRate.max.mb=0.5', 'collection.upsertRate.max.mb=1', 'collection.deleteRate.max.mb=0',
    'collection.searchRate.max.vps=100', 'collection.queryRate.max.qps=3', 'collection.diskProtection.diskQuota.mb=2.5',
  ], 'a rate of 0 is a limit, so it is listed');
  assert.equal(propertyNames(['collection.insertRate.max.mb']), ['insertRateMaxMb']);
});

test('non-numeric, negative or infinite values are ValidationErrors naming the key', () => {
  for (const bad of ['fast', '-1', -0.5, '', 'Infinity', true, null]) {
    let err: unknown;
    try { parseProperties({ 'collection.insertRate.max.mb': bad }); } catch (e) { err = e; }
    assert.ok(err instanceof NuthatchError && err.code === 'InvalidArgument', `refused ${JSON.stringify(bad)}`);
    assert.match((err as Error).message, /collection\.insertRate\.max\.mb must be a number >= 0/);
  }
  assert.is(codeOf(() => parseProperties({ 'collection.insertRate.min.mb': 1 })), 'InvalidArgument', 'a key nuthatch does not act on is refused');
});

test('database.diskQuota.mb: a number >= 0', () => {
  assert.is(codeOf(() => checkKnownProperty('database.diskQuota.mb', '10.5')), 'ok');
  for (const bad of ['x', '-2', '', ' ']) assert.is(codeOf(() => checkKnownProperty('database.diskQuota.mb', bad)), 'InvalidArgument');
  assert.is(policyOf({ 'database.diskQuota.mb': '10.5' }).diskQuotaMb, 10.5);
});

test("--quota: Milvus's quotaAndLimits names, with or without the prefix", () => {
  assert.equal(parseQuotaDefaults('quotaAndLimits.dml.insertRate.collection.max=4, dql.searchRate.collection.max=50,limitWriting.diskProtection.diskQuotaPerCollection=1024'),
    { insertMb: 4, searchVps: 50, diskQuotaPerCollectionMb: 1024 });
  assert.equal(parseQuotaDefaults(''), {});
  assert.is(codeOf(() => parseQuotaDefaults('dml.insertRate.max=4')), 'InvalidArgument');
  assert.is(codeOf(() => parseQuotaDefaults('dml.insertRate.collection.max=-4')), 'InvalidArgument');
  assert.is(codeOf(() => parseQuotaDefaults('dml.insertRate.collection.max')), 'InvalidArgument');
  assert.equal(parseQuotaDefaults('limitWriting.memProtection.dataNodeMemoryHighWaterLevel=0.9'), { memoryHighWaterLevel: 0.9 });
  for (const bad of ['0', '1.5']) assert.is(codeOf(() => parseQuotaDefaults(`limitWriting.memProtection.dataNodeMemoryHighWaterLevel=${bad}`)), 'InvalidArgument');
});

test('a snapshot is newer by epoch, then by sequence', () => {
  assert.ok(isNewer({ epoch: 1n, seq: 1 }, undefined));
  assert.ok(isNewer({ epoch: 1n, seq: 2 }, { epoch: 1n, seq: 1 }));
  assert.not.ok(isNewer({ epoch: 1n, seq: 1 }, { epoch: 1n, seq: 1 }));
  assert.ok(isNewer({ epoch: 2n, seq: 1 }, { epoch: 1n, seq: 9 }), "a new leader's first snapshot wins");
  assert.not.ok(isNewer({ epoch: 1n, seq: 99 }, { epoch: 2n, seq: 1 }));
});

test.run();
