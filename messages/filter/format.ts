/**
 * Prints an AST back as filter text that parses to the same tree (positions
 * aside). Every compound operand is parenthesised, so the text never depends on
 * precedence. Used in logs and to test the parser by round trip. A
 * RANDOM_SAMPLE prints without its seed (the text has no place for one).
 */
import { CONTAINS_NAME, type Expr, type FieldNode, type LiteralNode } from './ast.js';
import { formatTimestamptz } from '../timestamptz.js';

/** Filter text for `e`. */
export function formatFilter(e: Expr): string {
  switch (e.kind) {
    case 'literal': return literal(e);
    case 'field': return field(e);
    case 'neg': return `-${operand(e.arg)}`;
    case 'arith': case 'compare': return `${operand(e.left)} ${e.op} ${operand(e.right)}`;
    case 'in': return `${operand(e.arg)} ${e.negated ? 'not in' : 'in'} [${e.values.map(literal).join(', ')}]`;
    case 'like': return `${operand(e.arg)} ${e.negated ? 'not like' : 'like'} ${quote(e.pattern)}`;
    case 'textMatch': return e.phrase ? `phrase_match(${field(e.arg)}, ${quote(e.query)}, ${e.phrase.slop})` : `text_match(${field(e.arg)}, ${quote(e.query)})`;
    case 'geo': return `${e.op}(${field(e.arg)}, ${quote(e.wkt)}${e.distance === undefined ? '' : `, ${e.distance}`})`;
    case 'isNull': return `${field(e.arg)} is ${e.negated ? 'not ' : ''}null`;
    case 'contains': return `${CONTAINS_NAME[e.op]}(${field(e.arg)}, ${e.op === 'contains' ? literal(e.values[0]!) : `[${e.values.map(literal).join(', ')}]`})`;
    case 'length': return `array_length(${field(e.arg)})`;
    case 'elementMatch': return `${e.fn}(${field(e.arg)}, ${formatFilter(e.pred)}${e.count === undefined ? '' : `, ${e.count}`})`;
    case 'sample': return `RANDOM_SAMPLE(${e.factor})`;
    case 'not': return `not ${operand(e.arg)}`;
    case 'and': case 'or': return e.args.map(operand).join(` ${e.kind} `);
  }
}

function operand(e: Expr): string {
  return e.kind === 'field' || e.kind === 'length' || (e.kind === 'literal' && !(typeof e.value === 'number' && e.value < 0)) ? formatFilter(e) : `(${formatFilter(e)})`;
}

function literal(e: LiteralNode): string {
  if (e.type === 'string') return quote(e.value as string);
  if (e.type === 'timestamptz') return `ISO ${quote(formatTimestamptz(e.value as number))}`;
  if (e.type === 'interval') return `INTERVAL ${quote(e.value as string)}`;
  if (e.type === 'bool') return e.value ? 'true' : 'false';
  const s = String(e.value);
  return e.type === 'float' && /^-?\d+$/.test(s) ? `${s}.0` : s;
}

function field(e: FieldNode): string {
  return e.name + e.path.map((k) => `[${typeof k === 'number' ? k : quote(k)}]`).join('');
}

/** A double-quoted string literal the lexer reads back to exactly `s`. */
export function quote(s: string): string {
  let out = '"';
  for (const c of s) {
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (c < ' ' || c === '\x7f') out += '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}
