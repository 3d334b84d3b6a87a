/**
 * Shared pieces of the decoder fuzz tests (`*.fuzz.test.ts`): hostile inputs as fast-check
 * arbitraries (random bytes, and valid encodings flipped, truncated, extended, spliced), and the
 * one property they all check: a decoder either returns or throws one of the project's typed
 * errors, never another exception, never a hang. Runs use fixed seeds, so a failure names its seed
 * and counterexample and replays exactly.
 */
import fc from 'fast-check'
import { isErrorCode, SpineError } from '../../src/shared/errors.js'

/** What fuzz() needs of a tap test. */
export interface Assert {
  pass(message: string): void
}

/** Runs per property: enough to reach the odd corners of a decoder, few enough that the whole set stays well under 20 s. */
export const FUZZ_RUNS = 300

/** Every property of a file is seeded from this and its own index, so runs replay exactly. */
export const FUZZ_SEED = 20261208

export function fuzzParams(i: number, numRuns = FUZZ_RUNS): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED + i, numRuns }
}

/**
 * A decoder call that takes longer than this on one input counts as a hang. Not a speed bound:
 * inputs are at most a few KB and decode in microseconds; only a loop or a catastrophic regex
 * backtrack comes near it.
 */
export const HANG_MS = 2_000

/** Random bytes, mostly short (where decoders branch), sometimes a few KB. */
export function randomBytes(maxLength = 2_048): fc.Arbitrary<Buffer> {
  return fc
    .oneof({ arbitrary: fc.uint8Array({ maxLength: 32 }), weight: 3 }, { arbitrary: fc.uint8Array({ maxLength }), weight: 1 })
    .map((a) => Buffer.from(a))
}

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }

const position = fc.nat({ max: 1 << 20 })

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: position, byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xc1, 0xd4, 0xdc, 0xdd, 0xde, 0xdf, 0xff) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
)

/** One mutation applied; positions are taken modulo the length, so every mutation applies to any input. */
export function applyMutation(input: Buffer, m: Mutation): Buffer {
  const n = input.length
  const at = n === 0 ? 0 : m.kind === 'extend' ? n : (m as { at: number }).at % n
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return input
      const out = Buffer.from(input)
      out[at] = out[at]! ^ (1 << m.bit)
      return out
    }
    case 'set': {
      if (n === 0) return input
      const out = Buffer.from(input)
      out[at] = m.byte
      return out
    }
    case 'truncate':
      return input.subarray(0, at)
    case 'extend':
      return Buffer.concat([input, m.bytes])
    case 'insert':
      return Buffer.concat([input.subarray(0, at), m.bytes, input.subarray(at)])
    case 'delete':
      return Buffer.concat([input.subarray(0, at), input.subarray(at + m.length)])
    case 'duplicate':
      return Buffer.concat([input.subarray(0, at + m.length), input.subarray(at)])
  }
}

/** A valid encoding (drawn from `valid`) with one to four mutations applied. */
export function mutated(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([v, ms]) => ms.reduce(applyMutation, v))
}

/** Random bytes, or mutations of valid encodings: the hostile input of every byte decoder. */
export function hostileBytes(valid: fc.Arbitrary<Buffer>, maxLength = 2_048): fc.Arbitrary<Buffer> {
  return fc.oneof({ arbitrary: randomBytes(maxLength), weight: 1 }, { arbitrary: mutated(valid), weight: 2 })
}

/** True for a SpineError whose code is in the registry. */
export function isTypedSpineError(e: unknown): e is SpineError {
  return e instanceof SpineError && isErrorCode(e.code)
}

/**
 * Runs decode on one input: returns what it returned, or undefined when it threw an error that
 * `typed` accepts (by default a registered SpineError). Any other exception is rethrown with the
 * input attached, which fails the property; so does a call longer than HANG_MS.
 */
export function decodesOrTyped<T>(decode: () => T, typed: (e: unknown) => boolean = isTypedSpineError): T | undefined {
  const started = performance.now()
  try {
    return decode()
  } catch (e) {
    if (typed(e)) return undefined
    const what = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)
    throw new Error(`decoder threw an untyped exception: ${what}`, { cause: e })
  } finally {
    const ms = performance.now() - started
    if (ms > HANG_MS) throw new Error(`decoder took ${Math.round(ms)} ms on one input (a hang)`)
  }
}

/** fc.assert with the file's seed for property i: a failure reports seed, path and counterexample. */
export function fuzz<T>(t: Assert, i: number, arb: fc.Arbitrary<T>, check: (input: T) => void, numRuns = FUZZ_RUNS): void {
  fc.assert(fc.property(arb, check), fuzzParams(i, numRuns))
  t.pass(`${numRuns} inputs held (seed ${FUZZ_SEED + i})`)
}

/** The async form, for decoders behind a promise (HTTP inject). */
export async function fuzzAsync<T>(t: Assert, i: number, arb: fc.Arbitrary<T>, check: (input: T) => Promise<void>, numRuns = FUZZ_RUNS): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, check), fuzzParams(i, numRuns))
  t.pass(`${numRuns} inputs held (seed ${FUZZ_SEED + i})`)
}

/** Keys that trip careless code: prototype names, the empty key, numbers as strings. */
const trickyKey = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'length', '', '0', 'op'))

/** Values msgpack can deliver: every scalar kind (NaN, infinities, bigints, dates, bytes), nested a little. */
export const wireValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false, 0, -1, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 31), 0xffff_ffff, 1.5),
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
    fc.string({ maxLength: 16 }),
    fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(trickyKey, tie('v'), { maxKeys: 4 }),
  ),
})).v

/** A copy of value with the node reached by following `path` (child indexes, modulo) replaced by `by`. */
export function replaceAt(value: unknown, path: readonly number[], by: unknown): unknown {
  if (path.length === 0) return by
  const [i, ...rest] = path as [number, ...number[]]
  if (Array.isArray(value)) {
    if (value.length === 0) return [by]
    const out = [...value]
    const at = i % out.length
    out[at] = replaceAt(out[at], rest, by)
    return out
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    const keys = Object.keys(value)
    if (keys.length === 0) return by
    const k = keys[i % keys.length]!
    return { ...(value as Record<string, unknown>), [k]: replaceAt((value as Record<string, unknown>)[k], rest, by) }
  }
  return by
}

/** A valid value with one part (at any depth) replaced by a random wire value, or a field added. */
export function mutatedValue(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.tuple(valid, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), wireValue).map(([v, path, by]) => replaceAt(v, path, by)),
    fc.tuple(valid, trickyKey, wireValue).map(([v, k, by]) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, [k]: by } : v)),
  )
}
