import { ValidationError } from '../errors.js';
import { checkAnalyzerParams, type AnalyzerParams } from './analyzerParams.js';

/**
 * Milvus's multi-language analyzers (`multi_analyzer_params`, 2.5.11+): a
 * text field with several named analyzers, `analyzers: {name: analyzer_params,
 * ..., default: analyzer_params}`; `by_field` names a VarChar field of the
 * same row whose value picks the analyzer of that row's text, through the
 * optional `alias` map (value → analyzer name) or directly; a row whose value
 * is null, missing or names no analyzer gets `default`, as Milvus documents.
 * Queries name their analyzer (search's analyzer_name; default if none).
 */
export interface MultiAnalyzerSpec {
  analyzers: ReadonlyMap<string, AnalyzerParams>;
  byField: string;
  alias: ReadonlyMap<string, string>;
}

const bad = (message: string): ValidationError => new ValidationError(`multi_analyzer_params: ${message}`, { field: 'multi_analyzer_params' });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks multi_analyzer_params of field `owner` against the schema's fields:
 * every analyzer's params, a default, a by_field that is another VarChar field,
 * an alias map whose targets are analyzers.
 */
export function checkMultiAnalyzerParams(p: unknown, owner: string, fields: ReadonlyArray<{ name: string; dataType: string }>, version?: number): MultiAnalyzerSpec {
  if (!isObject(p)) throw bad('must be an object {analyzers: {name: analyzer_params, ..., default: ...}, by_field: "<field>", alias?: {value: name}}');
  for (const k of Object.keys(p)) if (!['analyzers', 'by_field', 'alias'].includes(k)) throw bad(`unknown key '${k}' (analyzers, by_field, alias)`);
  if (!isObject(p.analyzers)) throw bad('analyzers must be an object of name → analyzer_params');
  const analyzers = new Map<string, AnalyzerParams>();
  for (const [name, params] of Object.entries(p.analyzers)) {
    try { checkAnalyzerParams(params, version); } catch (e) { throw bad(`analyzer '${name}': ${(e as Error).message}`); }
    analyzers.set(name, params as AnalyzerParams);
  }
  if (!analyzers.has('default')) throw bad('analyzers need a "default" one (for rows whose by_field names no analyzer)');
  if (typeof p.by_field !== 'string') throw bad('by_field must name the VarChar field whose value picks each row\'s analyzer');
  const by = fields.find((f) => f.name === p.by_field);
  if (!by) throw bad(`by_field '${p.by_field}' is no field of the schema`);
  if (by.name === owner || by.dataType !== 'VarChar') throw bad(`by_field '${p.by_field}' must be another VarChar field, not ${by.name === owner ? 'the text field itself' : by.dataType}`);
  const alias = new Map<string, string>();
  if (p.alias !== undefined) {
    if (!isObject(p.alias)) throw bad('alias must be an object of value → analyzer name');
    for (const [k, v] of Object.entries(p.alias)) {
      if (typeof v !== 'string' || !analyzers.has(v)) throw bad(`alias '${k}' must name one of the analyzers (${[...analyzers.keys()].join(', ')}), got ${JSON.stringify(v)}`);
      alias.set(k, v);
    }
  }
  return { analyzers, byField: by.name, alias };
}

/** The analyzer a name (a by_field value or a query's analyzer_name) picks: through alias, else itself; undefined if it names none. */
export function analyzerNamed(spec: MultiAnalyzerSpec, name: string): string | undefined {
  const target = spec.alias.get(name) ?? name;
  return spec.analyzers.has(target) ? target : undefined;
}
