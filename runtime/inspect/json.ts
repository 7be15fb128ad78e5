/** JSON for the inspection stream's consumers: TSOs (bigint) become decimal strings. */
export function toJson(v: unknown, indent?: number): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), indent);
}
