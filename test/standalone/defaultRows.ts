/**
 * A collection whose scalar fields of every plain type declare default values
 * (some nullable too), rows that omit those fields, give null or give values,
 * and what each row must hold once written, said in plain JavaScript: shared
 * by the standalone and HTTP end-to-end tests of default values.
 */
import type { CollectionSchema } from '../../messages/schema.js';
import type { RowObject } from '../../runtime/client/api.js';
import { vectors } from './harness.js';

export const DEFAULTS_DIM = 4;

export const defaultsSchema: CollectionSchema = {
  enableDynamicField: true,
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: DEFAULTS_DIM },
    { name: 'flag', dataType: 'Bool', defaultValue: true },
    { name: 'tiny', dataType: 'Int8', defaultValue: -7 },
    { name: 'small', dataType: 'Int16', nullable: true, defaultValue: 300 },
    { name: 'mid', dataType: 'Int32', defaultValue: 2147483647 },
    { name: 'big', dataType: 'Int64', defaultValue: 1099511627777 },
    { name: 'w', dataType: 'Float', defaultValue: 0.5 },
    { name: 'd', dataType: 'Double', nullable: true, defaultValue: -2.25 },
    { name: 'status', dataType: 'VarChar', maxLength: 8, nullable: true, defaultValue: 'active' },
    // Nullable without a default: stays null.
    { name: 'note', dataType: 'VarChar', maxLength: 8, nullable: true },
    // Neither: every row must give it.
    { name: 'n', dataType: 'Int32' },
  ],
};

/** Every field a read asks for: the scalars and the dynamic key `color`. */
export const DEFAULTS_OUTPUT = ['flag', 'tiny', 'small', 'mid', 'big', 'w', 'd', 'status', 'note', 'n', 'color'];

/** What an omitted or null value becomes: the schema's defaults written out again (note has none: null). */
export const FILLED: RowObject = { flag: true, tiny: -7, small: 300, mid: 2147483647, big: 1099511627777, w: 0.5, d: -2.25, status: 'active', note: null };
const NULLS: RowObject = { flag: null, tiny: null, small: null, mid: null, big: null, w: null, d: null, status: null, note: null };

/** Values given for every such field, falsy ones among them (a given false, 0 or '' is kept). */
function given(id: number): RowObject {
  return { flag: false, tiny: 0, small: -id, mid: -id, big: -(2 ** 45) - id, w: 0.25, d: 0, status: id % 4 === 2 ? '' : `s${id}`, note: `n${id}` };
}

/** Row `id`: omits the defaulted fields (id % 3 == 0), gives null for them (1) or gives values (2). */
export function defaultsRow(id: number): RowObject {
  const base: RowObject = { id, vec: vectors(1, DEFAULTS_DIM, 500 + id)[0]!, n: id, color: id % 2 === 0 ? 'red' : 'blue' };
  return id % 3 === 0 ? base : id % 3 === 1 ? { ...base, ...NULLS } : { ...base, ...given(id) };
}

/** What a read of row `id` (inserted as defaultsRow(id)) returns for DEFAULTS_OUTPUT. */
export function storedRow(id: number): RowObject {
  return { id, n: id, color: id % 2 === 0 ? 'red' : 'blue', ...(id % 3 === 2 ? given(id) : FILLED) };
}

export const defaultsRows = (from: number, count: number): RowObject[] => Array.from({ length: count }, (_, i) => defaultsRow(from + i));
