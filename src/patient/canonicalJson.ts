/**
 * Canonical JSON: object keys sorted, no white space, arrays in order. Two records with the same
 * content give the same string whatever order their keys were written in, which is what the sibling
 * merge needs for a deterministic tie-break and for recognising equal list elements.
 */

/** JSON values as they come from JSON.parse (undefined members are skipped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}
