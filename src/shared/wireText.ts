/**
 * A value from the wire as short text for an error message. String(v) is not safe on decoded
 * input: msgpack can deliver a map with a key "toString" (or "valueOf") that is not a function,
 * and String() of that throws a TypeError, which would turn a refused request into an untyped
 * fault. Found by the decoder fuzz tests (`*.fuzz.test.ts`).
 */

/** Longest text kept: enough to recognise a value, too little for an echo to bloat a log line. */
const MAX_CHARS = 64

export function wireText(v: unknown): string {
  let s: string
  if (typeof v === 'string') s = v
  else if (typeof v === 'bigint') s = `${v}n`
  else if (v === undefined || typeof v === 'number' || typeof v === 'boolean' || v === null) s = `${v}`
  else {
    try {
      s = JSON.stringify(v) ?? Object.prototype.toString.call(v)
    } catch {
      // A bigint nested inside, or a structure JSON cannot write.
      s = Object.prototype.toString.call(v)
    }
  }
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS)}…` : s
}
