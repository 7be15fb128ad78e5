/**
 * The typed AST of a filter expression. Nodes are plain serializable objects
 * (JSON-safe), so a proxy may parse once and ship the tree to query nodes;
 * `checkFilter` re-validates any tree it is given, trusted or not.
 * `pos` is the 0-based character offset of the node in the source text.
 */
import { ValidationError } from '../errors.js';
import type { GeoOp } from '../geometry/predicates.js';

export const FILTER_LIMITS = {
  /** Characters of filter text; longer text is refused before lexing. */
  maxLength: 64 * 1024,
  /** Nesting depth of the tree (parentheses, `not`, operators). */
  maxDepth: 100,
} as const;

/**
 * Static type of a literal. `int` and `float` are both JS numbers; the split decides integer division.
 * `timestamptz` (`ISO '...'`) is an instant in microseconds; `interval` (`INTERVAL 'P1D'`) keeps its ISO 8601 duration text.
 */
export type LiteralType = 'int' | 'float' | 'string' | 'bool' | 'timestamptz' | 'interval';

/** A number, string or boolean written in the filter. */
export interface LiteralNode { kind: 'literal'; type: LiteralType; value: number | string | boolean; pos: number }

/**
 * A field, optionally followed by a JSON path (`meta["a"][0]`) or, on an Array
 * field, one element index (`tags[0]`). After checking, a dynamic field `color`
 * becomes `{ name: '$meta', path: ['color'] }`.
 */
export interface FieldNode { kind: 'field'; name: string; path: (string | number)[]; pos: number }

/** Numeric negation. */
export interface NegNode { kind: 'neg'; arg: Expr; pos: number }

export type ArithOp = '+' | '-' | '*' | '/' | '%';
/** `integer` is set by checkFilter when both sides are integers: `/` then truncates, as in Milvus. */
export interface ArithNode { kind: 'arith'; op: ArithOp; left: Expr; right: Expr; integer?: boolean; pos: number }

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** `left op right`; a chain `1 < a < 5` parses as an `and` of two of these. */
export interface CompareNode { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; pos: number }

/** `arg in [..]`, or `arg not in [..]` when negated. */
export interface InNode { kind: 'in'; arg: Expr; values: LiteralNode[]; negated: boolean; pos: number }
/** `pattern` is the raw pattern: `%` any run, `_` one character, `\` escapes the next character. */
export interface LikeNode { kind: 'like'; arg: Expr; pattern: string; negated: boolean; pos: number }
/** `field is null`, or `is not null` when negated. */
export interface IsNullNode { kind: 'isNull'; arg: FieldNode; negated: boolean; pos: number }
/**
 * `array_contains(f, v)` (op `contains`, one value), `array_contains_all(f, [..])`
 * and `array_contains_any(f, [..])`, on an Array field or a JSON list; Milvus's
 * `json_contains*` spellings parse to the same node.
 */
export interface ContainsNode { kind: 'contains'; op: ContainsOp; arg: FieldNode; values: LiteralNode[]; pos: number }
export type ContainsOp = 'contains' | 'containsAll' | 'containsAny';
/** `array_length(f)`: the element count of an Array field or a JSON list, an integer. */
export interface LengthNode { kind: 'length'; arg: FieldNode; pos: number }
export interface NotNode { kind: 'not'; arg: Expr; pos: number }
/** `and`/`or` chains are flat: `a and b and c` is one node with three args. */
export interface AndNode { kind: 'and'; args: Expr[]; pos: number }
export interface OrNode { kind: 'or'; args: Expr[]; pos: number }

/** Any filter node. */
/**
 * `text_match(f, "words")` (Milvus's TEXT_MATCH): the text of an analysed
 * VarChar field holds at least one of the words' terms (messages/analyzer.ts).
 * With `phrase`, `phrase_match(f, "words", slop)` (Milvus's PHRASE_MATCH):
 * it holds all of them, in order within `slop` (phrase.ts).
 */
export interface TextMatchNode { kind: 'textMatch'; arg: FieldNode; query: string; pos: number; phrase?: { slop: number } }

/**
 * Milvus's geometry operators on a Geometry field: `ST_CONTAINS(geo, 'POLYGON ((..))')`
 * and the others of GEO_OPS, and `ST_DWITHIN(geo, 'POINT (lon lat)', meters)`.
 * `wkt` is the query geometry as canonical WKT (messages/geometry/wkt.ts);
 * `distance` is ST_DWITHIN's, in meters.
 */
export interface GeoNode { kind: 'geo'; op: GeoOp; arg: FieldNode; wkt: string; distance?: number; pos: number }

/**
 * Milvus 3.0's StructArray operators on an Array of Structs field:
 * `element_filter(chunks, $[text] like "Red%")` and `MATCH_ANY` (some element
 * holds), `MATCH_ALL` (every one), `MATCH_LEAST`/`MATCH_MOST`/`MATCH_EXACT(f,
 * pred, k)` (at least, at most, exactly k do). `pred` reads the elements'
 * sub-fields as fields named `$[sub]` (and nothing else).
 */
export interface ElementMatchNode { kind: 'elementMatch'; fn: ElementFn; arg: FieldNode; pred: Expr; count?: number; pos: number }
export type ElementFn = 'element_filter' | 'match_any' | 'match_all' | 'match_least' | 'match_most' | 'match_exact';
export const ELEMENT_FNS: ReadonlySet<string> = new Set<ElementFn>(['element_filter', 'match_any', 'match_all', 'match_least', 'match_most', 'match_exact']);
/** The functions that take a count k as their third argument. */
export const COUNTED_ELEMENT_FNS: ReadonlySet<string> = new Set<ElementFn>(['match_least', 'match_most', 'match_exact']);

/**
 * Milvus 2.6's `RANDOM_SAMPLE(factor)`: keeps about `factor` (in (0, 1)) of the
 * rows the rest of the filter matches. Only alone or as an operand of the
 * top-level `and` (sample.ts). `seed` picks which rows: the client sets a fresh
 * one per request (one per query iterator), so one request sees one sample on
 * every segment and shard; absent, 0.
 */
export interface SampleNode { kind: 'sample'; factor: number; seed?: number; pos: number }

export type Expr =
  | LiteralNode | FieldNode | NegNode | ArithNode | LengthNode
  | CompareNode | InNode | LikeNode | IsNullNode | ContainsNode | TextMatchNode | GeoNode | ElementMatchNode | SampleNode | NotNode | AndNode | OrNode;

/** Node kinds that yield a value rather than a truth value. */
export const VALUE_KINDS: ReadonlySet<Expr['kind']> = new Set(['literal', 'field', 'neg', 'arith', 'length']);

/** The function name a ContainsNode prints as. */
export const CONTAINS_NAME: Record<ContainsOp, string> = { contains: 'array_contains', containsAll: 'array_contains_all', containsAny: 'array_contains_any' };

/** A ValidationError that says where: "<what> at <pos>"; `details.position` holds the offset. */
export function filterError(what: string, pos: number): ValidationError {
  return new ValidationError(`${what} at ${pos}`, { position: pos });
}
