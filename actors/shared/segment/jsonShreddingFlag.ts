/**
 * The `--json-shredding K=V[,K=V]` flag (and NUTHATCH_JSON_SHREDDING) of
 * `nuthatch standalone` and `nuthatch node`: JSON shredding's knobs under
 * Milvus's milvus.yaml names, with or without their section
 * (`common.enabledJSONShredding=false`, `jsonShreddingRatioThreshold=0.5`).
 */
import { ValidationError } from '../../../messages/errors.js';
import { jsonShreddingConfig, type JsonShreddingConfig } from './jsonShredding.js';

/** Each knob's milvus.yaml section. */
const SECTIONS: Record<keyof JsonShreddingConfig, string> = {
  enabledJSONShredding: 'common', jsonShreddingRatioThreshold: 'dataCoord', jsonShreddingMaxColumns: 'dataCoord',
};

/** The flag's help line. */
export const JSON_SHREDDING_USAGE = `  --json-shredding K=V[,K=V]  streaming, data and query nodes: JSON shredding under Milvus's names (section optional):
                            common.enabledJSONShredding=true|false (default true), dataCoord.jsonShreddingRatioThreshold
                            (0.3, in [0, 1]), dataCoord.jsonShreddingMaxColumns (1024); also NUTHATCH_JSON_SHREDDING`;

/** The full config the flag's text gives; an unknown knob or a bad value is a ValidationError naming it. */
export function parseJsonShredding(text: string): JsonShreddingConfig {
  const o: Record<string, unknown> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim(), raw = eq < 0 ? '' : part.slice(eq + 1).trim();
    const dot = name.lastIndexOf('.'), key = name.slice(dot + 1), section = dot < 0 ? undefined : name.slice(0, dot);
    if (!Object.hasOwn(SECTIONS, key) || (section !== undefined && section !== SECTIONS[key as keyof JsonShreddingConfig])) {
      throw new ValidationError(`--json-shredding: unknown setting '${name}' (${Object.entries(SECTIONS).map(([k, s]) => `${s}.${k}`).join(', ')})`, { field: name });
    }
    o[key] = key === 'enabledJSONShredding' ? (raw === 'true' ? true : raw === 'false' ? false : raw)
      : raw === '' || !Number.isFinite(Number(raw)) ? raw : Number(raw);
  }
  try { return jsonShreddingConfig(o as Partial<JsonShreddingConfig>); } catch (e) {
    throw new ValidationError(`--json-shredding: ${(e as Error).message}`);
  }
}
