import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFilter } from '../../messages/filter/index.js';
import { compileFilter } from '../../messages/filter/evaluate.js';
import type { Expr } from '../../messages/filter/ast.js';
import type { CollectionSchema } from '../../messages/schema.js';
import { chosenGroups, restrictToGroups } from '../../runtime/client/groupRefine.js';

const schema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'v', dataType: 'FloatVector', dim: 2 },
    { name: 'doc', dataType: 'Int64' },
    { name: 'lang', dataType: 'VarChar', maxLength: 8, nullable: true },
    { name: 'ok', dataType: 'Bool' },
  ],
};
const columns = { id: [1, 2, 3, 4], doc: [7, 8, 9, 7], lang: ['en', null, 'de', 'fr'], ok: [true, false, true, false] };
const matching = (e: Expr) => { const p = compileFilter(e, schema).bind(columns); return [0, 1, 2, 3].filter((r) => p(r)); };

test('chosenGroups: the distinct group values of a first pass, in rank order, a missing one as null', () => {
  assert.equal(chosenGroups([{ pk: 1, distance: 0, fields: {}, group: 'b' }, { pk: 2, distance: 1, fields: {}, group: 'a' }, { pk: 3, distance: 2, fields: {}, group: 'b' }, { pk: 4, distance: 3, fields: {} }]), ['b', 'a', null]);
});

test('restrictToGroups: a checked filter keeping exactly the chosen groups, ANDed with the search filter', () => {
  assert.equal(matching(restrictToGroups(null, 'doc', [7, 9])), [0, 2, 3]);
  assert.equal(matching(restrictToGroups(null, 'lang', ['fr', null])), [1, 3], 'null is the group of rows without a value');
  assert.equal(matching(restrictToGroups(null, 'ok', [false])), [1, 3]);
  assert.equal(matching(restrictToGroups(parseFilter('id > 1'), 'doc', [7, 9])), [2, 3]);
});

test.run();
