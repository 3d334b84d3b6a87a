/**
 * Superseded NHS numbers. When two records turn out to be one patient (a duplicate registration),
 * one is retained and the other's number becomes an alias: its key then holds a pointer, not a
 * record, so a system still holding the old number reads the retained record, and nothing can
 * update the old one into a second life. The alias carries no index terms, so searches find only
 * the retained record.
 */
export interface PatientAlias {
  /** The superseded number (the key's own). */
  readonly id: string
  /** The retained record's number. */
  readonly supersededBy: string
}

export function encodeAlias(a: PatientAlias): Buffer {
  return Buffer.from(JSON.stringify({ id: a.id, supersededBy: a.supersededBy }), 'utf8')
}

/** The alias a stored value holds, or undefined if it is not one. */
export function decodeAlias(value: Uint8Array): PatientAlias | undefined {
  try {
    const v = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as Record<string, unknown>
    if (typeof v.id === 'string' && typeof v.supersededBy === 'string') return { id: v.id, supersededBy: v.supersededBy }
  } catch {
    // not an alias
  }
  return undefined
}
