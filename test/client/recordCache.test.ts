import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CollectionRecord } from '../../messages/rpc/records.js';
import { RecordCache } from '../../runtime/client/recordCache.js';

/** The client's collection records, keyed by (database, name). */
const rec = (name: string, collectionId: number) => ({ name, collectionId }) as CollectionRecord;

test('the same name in two databases is two entries', () => {
  const c = new RecordCache();
  c.set('default', 'docs', rec('docs', 1), 10);
  c.set('shop', 'docs', rec('docs', 2), 20);
  assert.is(c.get('default', 'docs')?.rec.collectionId, 1);
  assert.equal(c.get('shop', 'docs'), { rec: rec('docs', 2), at: 20 });
  assert.is(c.get('other', 'docs'), undefined);
  c.delete('shop', 'docs');
  assert.is(c.get('shop', 'docs'), undefined);
  assert.is(c.get('default', 'docs')?.rec.collectionId, 1);
});

test('forget: names of one database, and its aliases that reached them; other databases keep theirs', () => {
  const c = new RecordCache();
  c.set('default', 'docs', rec('docs', 1), 0);
  c.set('default', 'live', rec('docs', 1), 0);
  c.set('default', 'other', rec('other', 3), 0);
  c.set('shop', 'docs', rec('docs', 2), 0);
  c.forget('default', ['docs']);
  assert.is(c.get('default', 'docs'), undefined);
  assert.is(c.get('default', 'live'), undefined, 'an alias that reached docs');
  assert.ok(c.get('default', 'other'));
  assert.ok(c.get('shop', 'docs'));
  c.forget('nowhere', ['docs']);
  assert.ok(c.get('shop', 'docs'));
});

test.run();
