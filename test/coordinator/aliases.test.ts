import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aliasesOf, decideAlterAlias, decideCreateAlias, decideDropAlias, dropRefusal, resolveName } from '../../actors/coordinator/core/aliases.js';
import { findCollection, type Namespace } from '../../actors/coordinator/core/catalog.js';
import { NuthatchError } from '../../messages/errors.js';
import type { CollectionRecord } from '../../messages/rpc/records.js';

/** Collection aliases as pure decisions over the catalogue. */

const rec = (name: string, state: CollectionRecord['state'] = 'created') => ({ name, collectionId: name.length, state }) as CollectionRecord;
const catalog = (): Namespace => ({ byName: new Map([['blue', rec('blue')], ['green', rec('green')], ['old', rec('old', 'dropping')]]), aliases: new Map([['live', 'blue']]) });
const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };

test('an alias stands for its collection wherever a collection is named', () => {
  const c = catalog();
  assert.is(resolveName(c, 'live'), 'blue');
  assert.is(resolveName(c, 'green'), 'green');
  assert.is(findCollection(c, 'live').name, 'blue');
  assert.equal(aliasesOf(c, 'blue'), ['live']);
});

test('an alias is new, names a live collection, never another alias, and shares the collections\' namespace', () => {
  const c = catalog();
  assert.equal(decideCreateAlias(c, 'next', 'green'), { alias: 'next', collection: 'green' });
  assert.is(code(() => decideCreateAlias(c, 'live', 'green')), 'AliasExists');
  assert.is(code(() => decideCreateAlias(c, 'green', 'blue')), 'AliasExists', 'a collection\'s name');
  assert.is(code(() => decideCreateAlias(c, 'x', 'live')), 'InvalidArgument', 'an alias of an alias');
  assert.is(code(() => decideCreateAlias(c, 'x', 'nope')), 'CollectionNotFound');
  assert.is(code(() => decideCreateAlias(c, 'x', 'old')), 'CollectionNotFound', 'a collection being dropped');
  assert.is(code(() => decideCreateAlias(c, '9x', 'blue')), 'InvalidArgument');
});

test('alter moves an existing alias; drop removes one', () => {
  const c = catalog();
  assert.equal(decideAlterAlias(c, 'live', 'green'), { alias: 'live', collection: 'green' });
  assert.is(code(() => decideAlterAlias(c, 'gone', 'green')), 'AliasNotFound');
  assert.is(decideDropAlias(c, 'live'), 'live');
  assert.is(code(() => decideDropAlias(c, 'gone')), 'AliasNotFound');
});

test('a collection is dropped by its own name, and only once it has no aliases', () => {
  const c = catalog();
  assert.is(dropRefusal(c, 'live')?.code, 'InvalidArgument');
  assert.is(dropRefusal(c, 'blue')?.code, 'InvalidArgument');
  assert.is(dropRefusal(c, 'green'), null);
});

test.run();
