import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProgress } from '../../actors/coordinator/shell/segmentFlow.js';
import type { CoordinatorContext } from '../../actors/coordinator/shell/context.js';
import type { CollectionRecord, Distribution, SegmentRecord } from '../../messages/rpc/records.js';

/**
 * A load reports 100 only once every delegator has been told of it: the load
 * state says Loaded before then only if a read could be refused as not loaded.
 */
const rec = { collectionId: 7, vchannels: ['v0', 'v1'], loaded: true, indexes: [], partitions: [{ id: 1, name: '_default' }] } as unknown as CollectionRecord;
const seg = { segmentId: 70, collectionId: 7, partitionId: 1, vchannel: 'v0', rows: 10 } as unknown as SegmentRecord;
const ctxOf = (distributions: Distribution[], segments: SegmentRecord[] = []) => ({
  segments: new Map(segments.map((s) => [s.segmentId, s])),
  distributions: new Map(distributions.map((d) => [d.vchannel, d])),
}) as unknown as CoordinatorContext;
const dist = (vchannel: string, extra: Partial<Distribution> = {}): Distribution => ({ vchannel, version: 1, segments: [], ...extra });

test('no sealed segment: 100 only once both vchannels carry the load', () => {
  assert.is(loadProgress(ctxOf([]), rec), 99, 'nothing published yet');
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true })]), rec), 99, 'one vchannel told');
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true }), dist('v1', { loaded: false })]), rec), 99, 'one still says released');
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true }), dist('v1', { loaded: true })]), rec), 100);
  assert.is(loadProgress(ctxOf([]), { ...rec, loaded: false }), 0, 'not loaded');
});

test('partitions: the distributions must name every loaded partition', () => {
  const some = { ...rec, loadedPartitions: [1, 2], partitions: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }] } as unknown as CollectionRecord;
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true, partitions: [1] }), dist('v1', { loaded: true, partitions: [1] })]), some), 99, 'partition 2 not published');
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true, partitions: [1, 2] }), dist('v1', { loaded: true, partitions: [1, 2] })]), some), 100);
});

test('sealed segments: served share, and never 100 before the load is published', () => {
  const served = dist('v0', { loaded: true, segments: [{ segmentId: 70, nodeId: 'qn-1' }] as Distribution['segments'] });
  assert.is(loadProgress(ctxOf([served, dist('v1', { loaded: true })], [seg]), rec), 100);
  assert.is(loadProgress(ctxOf([dist('v0', { loaded: true }), dist('v1', { loaded: true })], [seg]), rec), 0, 'the segment not served yet');
  assert.is(loadProgress(ctxOf([{ ...served, loaded: false }, dist('v1')], [seg]), rec), 99, 'served, but the load not published');
});

test.run();
