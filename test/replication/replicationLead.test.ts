/**
 * The replication lead (runtime/replication/replicationLead.ts) on an embedded
 * meta store: one replicator per target leads, a second stands by (and is told
 * so) until the first resigns, and other targets are independent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddedMeta } from '../../runtime/meta/embeddedMeta.js';
import { leadName, leadReplication } from '../../runtime/replication/replicationLead.js';
import { until } from '../support/until.js';

let dir: string, meta: EmbeddedMeta;
test.before(async () => { dir = await mkdtemp(join(tmpdir(), 'nh-lead-')); meta = await EmbeddedMeta.open(dir); });
test.after(async () => { await meta.close(); await rm(dir, { recursive: true, force: true }); });

test('a database replication and a collection replication of one target have distinct leads', () => {
  assert.is.not(leadName('db'), leadName('db', 'c'));
  assert.is.not(leadName('db', 'c'), leadName('db', 'd'));
  assert.is.not(leadName('a'), leadName('b'));
});

test('a second replicator of the same target stands by until the leader resigns; another target is not held up', async () => {
  let firstWaited = false, secondWaited = false, secondLeads = false;
  const first = await leadReplication(meta, { db: 'shop' }, 'one', 2000, () => { firstWaited = true; });
  assert.not.ok(firstWaited, 'nobody led: no standby');
  const second = leadReplication(meta, { db: 'shop' }, 'two', 2000, () => { secondWaited = true; });
  void second.then(() => { secondLeads = true; });
  await until(async () => secondWaited, 'the second replicator told it stands by', 10_000);
  const other = await leadReplication(meta, { db: 'shop', collection: 'items' }, 'three', 2000);
  assert.not.ok(secondLeads, 'no second leader while the first leads');
  await first.resign();
  const lead = await second;
  assert.ok(secondLeads);
  await lead.resign();
  await other.resign();
});

test.run();
