import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideRename, unfinishedRenames } from '../../actors/coordinator/core/rename.js';
import type { Namespace } from '../../actors/coordinator/core/catalog.js';
import { NuthatchError, ValidationError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';

const rec = (name: string, collectionId: number, extra: Partial<CollectionRecord> = {}) => ({ name, collectionId, state: 'created', ...extra }) as CollectionRecord;
const catalog = (recs: CollectionRecord[], aliases: Array<[string, string]> = []): Namespace => ({ byName: new Map(recs.map((r) => [r.name, r])), aliases: new Map(aliases) });

test('decideRename: by its own name, to a free valid name; its aliases follow', () => {
  const c = catalog([rec('a', 1), rec('b', 2), rec('gone', 3, { state: 'dropping' })], [['al', 'a'], ['bl', 'b']]);
  assert.equal(decideRename(c, 'a', 'z').aliases, ['al']);
  const refused = (from: string, to: string, kind: abstract new (...a: never[]) => Error, re: RegExp) =>
    assert.throws(() => decideRename(c, from, to), (e: unknown) => e instanceof kind && re.test((e as Error).message));
  refused('al', 'z', ValidationError, /'al' is an alias of 'a': rename a collection by its own name/);
  refused('nope', 'z', NuthatchError, /collection 'nope' does not exist/);
  refused('gone', 'z', NuthatchError, /does not exist/);
  refused('a', 'b', NuthatchError, /collection 'b' already exists/);
  refused('a', 'bl', NuthatchError, /'bl' is an alias of 'b'/);
  refused('a', 'a', ValidationError, /already has that name/);
  refused('a', '1bad', ValidationError, /collection name/);
});

test('unfinishedRenames: the old name of a record written twice goes, aliases left on it follow', () => {
  const recs = [rec('a', 1), rec('z', 1, { renamedFrom: 'a' }), rec('b', 2, { renamedFrom: 'old-b' })];
  const alias = (alias: string, collection: string) => ({ db: 'default', alias, collection });
  const r = unfinishedRenames(recs, [alias('al', 'a'), alias('bl', 'b'), alias('ol', 'old-b')]);
  assert.equal(r.stale, [{ db: 'default', name: 'a' }]);
  assert.equal(r.repoint, [alias('al', 'z'), alias('ol', 'b')]);
  assert.equal(unfinishedRenames([rec('a', 1), rec('b', 2)], [alias('al', 'a')]), { stale: [], repoint: [] });
});

test.run();
