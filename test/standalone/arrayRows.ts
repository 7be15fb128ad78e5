/**
 * A collection with Array fields of several element types, deterministic rows
 * for it, filters paired with the same predicate in plain JavaScript, and rows
 * that must be refused: shared by the standalone and HTTP end-to-end tests.
 */
import type { CollectionSchema } from '../../messages/schema.js';
import type { RowObject } from '../../runtime/client/api.js';
import { vectors } from './harness.js';

export const ARRAY_DIM = 4;

export const arraySchema: CollectionSchema = {
  fields: [
    { name: 'id', dataType: 'Int64', isPrimary: true },
    { name: 'vec', dataType: 'FloatVector', dim: ARRAY_DIM },
    { name: 'tags', dataType: 'Array', elementType: 'VarChar', maxCapacity: 4, maxLength: 8, nullable: true },
    { name: 'nums', dataType: 'Array', elementType: 'Int64', maxCapacity: 5 },
    { name: 'ws', dataType: 'Array', elementType: 'Float', maxCapacity: 3 },
    { name: 'ds', dataType: 'Array', elementType: 'Double', maxCapacity: 3 },
    { name: 'flags', dataType: 'Array', elementType: 'Bool', maxCapacity: 2 },
    { name: 'small', dataType: 'Array', elementType: 'Int8', maxCapacity: 3 },
    { name: 'mid', dataType: 'Array', elementType: 'Int32', maxCapacity: 2 },
    // A Float scalar beside Float elements: both keep the number as given.
    { name: 'w', dataType: 'Float' },
  ],
};

/** Every field but the primary key and the vector. */
export const ARRAY_FIELDS = ['tags', 'nums', 'ws', 'ds', 'flags', 'small', 'mid', 'w'];

const PALETTE = ['red', 'green', 'blue', 'é🐦'];
const MAX = Number.MAX_SAFE_INTEGER;

/** Row `id`: lists of every length up to the capacity, empty ones, null tags every fifth row. */
export function arrayRow(id: number): RowObject {
  return {
    id,
    vec: vectors(1, ARRAY_DIM, 1000 + id)[0]!,
    tags: id % 5 === 0 ? null : PALETTE.filter((_, k) => (id >> k) & 1),
    nums: [id, id * 2 ** 40, -id, MAX - id, 2 ** 31].slice(0, id % 6),
    ws: [id / 4, 0.1, -1.5e38].slice(0, id % 4),
    ds: [Math.PI * id, 1e-300, -Number.MAX_VALUE].slice(0, (id + 1) % 4),
    flags: [id % 2 === 0, id % 3 === 0].slice(0, id % 3),
    small: [-128, 127, (id % 100) - 50].slice(0, id % 4),
    mid: [-(2 ** 31), 2 ** 31 - 1].slice(0, id % 3),
    w: 0.1 + id,
  };
}

export const arrayRows = (from: number, count: number): RowObject[] => Array.from({ length: count }, (_, i) => arrayRow(from + i));

type L<T> = T[];
const tags = (r: RowObject) => r.tags as L<string> | null;
const nums = (r: RowObject) => r.nums as L<number>;

/** Filter text and the rows it must select, said again in JavaScript. */
export const ARRAY_FILTERS: [string, (r: RowObject) => boolean][] = [
  ['array_contains(tags, "red")', (r) => tags(r)?.includes('red') === true],
  ['ARRAY_CONTAINS_ALL(tags, ["green", "é🐦"])', (r) => tags(r)?.includes('green') === true && tags(r)!.includes('é🐦')],
  [`array_contains_any(nums, [5, 3, ${MAX - 10}])`, (r) => nums(r).some((x) => x === 5 || x === 3 || x === MAX - 10)],
  ['array_contains(nums, 2147483648)', (r) => nums(r).includes(2 ** 31)],
  ['array_length(nums) >= 4', (r) => nums(r).length >= 4],
  ['array_length(tags) == 0', (r) => tags(r)?.length === 0],
  ['tags[0] == "green"', (r) => tags(r)?.[0] === 'green'],
  ['tags[1] like "b%"', (r) => tags(r)?.[1]?.startsWith('b') === true],
  ['tags[3] like "é%"', (r) => tags(r)?.[3]?.startsWith('é') === true],
  ['nums[1] > 1000000', (r) => nums(r).length > 1 && nums(r)[1]! > 1e6],
  ['ws[1] == 0.1', (r) => (r.ws as L<number>)[1] === 0.1],
  ['ds[0] > 50.0', (r) => (r.ds as L<number>).length > 0 && (r.ds as L<number>)[0]! > 50],
  ['array_contains(flags, true) and not array_contains(flags, false)', (r) => (r.flags as L<boolean>).includes(true) && !(r.flags as L<boolean>).includes(false)],
  ['small[0] == -128 and small[2] < 0', (r) => (r.small as L<number>).length === 3 && (r.small as L<number>)[2]! < 0],
  ['mid[1] == 2147483647', (r) => (r.mid as L<number>)[1] === 2 ** 31 - 1],
  ['tags is null', (r) => tags(r) === null],
  ['not array_contains(tags, "blue")', (r) => tags(r) !== null && !tags(r)!.includes('blue')],
];

/** Rows (with primary key `id`) that break one Array rule each, and what the refusal says. */
export function badArrayRows(id: number): [RowObject, RegExp][] {
  const ok = arrayRow(id);
  return [
    [{ ...ok, tags: ['a', 'b', 'c', 'd', 'e'] }, /Array field 'tags' holds 5 elements, more than its max_capacity 4/],
    [{ ...ok, tags: ['toolong!!'] }, /the length \(9 UTF-8 bytes\) of element \[0\] of Array field 'tags' exceeds max length \(8\)/],
    [{ ...ok, tags: ['a', null] }, /element \[1\] of Array field 'tags' is null/],
    [{ ...ok, nums: [1.5] }, /element \[0\] of Array field 'nums' must be an Int64 integer, got 1\.5$/],
    [{ ...ok, nums: [1, 2 ** 53] }, /element \[1\] of Array field 'nums' must be an Int64 integer|\.nums\[1\]' is 9007199254740992 \(beyond the safe integer range\)/],
    [{ ...ok, nums: 'x' }, /Array field 'nums' must be a list/],
    [{ ...ok, nums: null }, /field 'nums' is null, but it is not nullable/],
    [{ ...ok, small: [128] }, /element \[0\] of Array field 'small' must be an Int8 integer/],
    [{ ...ok, mid: [[1]] }, /element \[0\] of Array field 'mid' must be an Int32 integer/],
    [{ ...ok, flags: ['true'] }, /element \[0\] of Array field 'flags' must be a boolean/],
    [{ ...ok, ds: [0.5, '1.5'] }, /element \[1\] of Array field 'ds' must be a finite number/],
  ];
}
