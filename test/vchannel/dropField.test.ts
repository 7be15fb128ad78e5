import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Invariant } from '../../messages/errors.js';
import { vchannelView } from '../../actors/streaming-node/core/vchannel/index.js';
import type { CollectionSchema, Rows } from '../../messages/schema.js';
import { accepted, given, ok } from './spec.js';
import { DEFAULT, m, rows, schema } from './fixtures.js';

/**
 * DropCollectionField in the vchannel machine: from its TSO on an insert
 * naming the field is refused and one without it accepted (before it, the
 * other way round when the field is required); an indexed field, a key and an
 * unknown field are refused.
 */
const withNote: CollectionSchema = { ...schema, fields: [...schema.fields, { name: 'note', dataType: 'VarChar', maxLength: 8 }] };
const start = [m.createCollection(1, undefined, withNote), m.createSegment(2, 1, DEFAULT)];
const noted = (pk: number): Rows => ({ ...rows(1, pk), fields: { tag: ['t'], note: ['n'] } });
const plain = (pk: number): Rows => ({ ...rows(1, pk), fields: { tag: ['t'] } });

test('writes naming the field are taken before the drop and refused after it; writes without it the other way round', () => {
  given(start).when(m.insert(3, 1, { rows: noted(1) })).then(ok);
  given(start).when(m.insert(3, 1, { rows: plain(1) })).then(Invariant.PayloadMatchesSchema);
  const s = accepted(given(start).when(m.dropField(3, 'note')).then(ok));
  const after = vchannelView(s).collection!.schema;
  assert.not.ok(after.fields.some((f) => f.name === 'note'));
  assert.equal(after.droppedFields, ['note']);
  given([...start, m.dropField(3, 'note')]).when(m.insert(4, 1, { rows: noted(1) })).then(Invariant.PayloadMatchesSchema);
  given([...start, m.dropField(3, 'note')]).when(m.insert(4, 1, { rows: plain(1) })).then(ok);
  given([...start, m.dropField(3, 'note')]).when(m.addField(4, { name: 'note', dataType: 'VarChar', maxLength: 8, nullable: true })).then(Invariant.PayloadMatchesSchema);
});

test('an indexed field, the primary key, an unknown or already dropped field are refused (the last by its own invariant, which a retried drop takes as done)', () => {
  given([...start, m.createIndex(3, 'note_idx', 'note')]).when(m.dropField(4, 'note')).then(Invariant.PayloadMatchesSchema);
  given([...start, m.createIndex(3, 'note_idx', 'note'), m.dropIndex(4, 'note_idx')]).when(m.dropField(5, 'note')).then(ok);
  given(start).when(m.dropField(3, 'id')).then(Invariant.PayloadMatchesSchema);
  given(start).when(m.dropField(3, 'nope')).then(Invariant.PayloadMatchesSchema);
  given([...start, m.dropField(3, 'note')]).when(m.dropField(4, 'note')).then(Invariant.FieldAlreadyDropped);
  given([]).when(m.dropField(1, 'note')).then(Invariant.CollectionMustExist);
});

test.run();
