/**
 * Fuzzing the stored object and causal context codec: random bytes and mutated valid encodings.
 * Its contract is TypeError for bytes that are not an object (callers turn that into a typed error
 * with decodeOrThrow, src/node/replicaWrites.ts), so any other exception, a hang, or a decoded
 * object of the wrong shape fails.
 */
import t from 'tap'
import { decodesOrTyped, fuzz, hostileBytes } from '../../test/harness/fuzz.js'
import { encodedContext, encodedObject, kvObject } from '../../test/harness/fuzzSamples.js'
import { decodeOrThrow } from '../node/replicaWrites.js'
import { SpineError } from '../shared/errors.js'
import type { KvObject } from './object.js'
import { decodeContext, decodeObject, encodeObject } from './objectCodec.js'

const isTypeError = (e: unknown): boolean => e instanceof TypeError

/** What every reader of a decoded object relies on. */
function wellShaped(o: KvObject): boolean {
  return (
    Array.isArray(o.clock) &&
    o.clock.every((e) => typeof e.actor === 'string' && Number.isInteger(e.counter) && typeof e.ts === 'number') &&
    Array.isArray(o.siblings) &&
    o.siblings.every((s) => s.value instanceof Uint8Array && typeof s.contentType === 'string' && typeof s.meta === 'object' && s.meta !== null && typeof s.deleted === 'boolean')
  )
}

t.test('valid objects round trip to equal bytes', async (t) => {
  fuzz(t, 1, kvObject, (o) => {
    const bytes = encodeObject(o)
    if (!encodeObject(decodeObject(bytes)).equals(bytes)) throw new Error('an object changed in a round trip')
  })
})

t.test('hostile object bytes: a well-shaped object or TypeError', async (t) => {
  fuzz(t, 2, hostileBytes(encodedObject), (bytes) => {
    const o = decodesOrTyped(() => decodeObject(bytes), isTypeError)
    if (o !== undefined && !wellShaped(o)) throw new Error('decoded an object of the wrong shape')
  }, 2_000)
})

t.test('hostile context bytes: a clock or TypeError', async (t) => {
  fuzz(t, 3, hostileBytes(encodedContext), (bytes) => {
    decodesOrTyped(() => decodeContext(bytes), isTypeError)
  }, 1_000)
})

t.test('through decodeOrThrow, as the cluster port decodes them: a typed error', async (t) => {
  fuzz(t, 4, hostileBytes(encodedObject), (bytes) => {
    decodesOrTyped(() => decodeOrThrow(() => decodeObject(bytes)))
  })
  t.throws(() => decodeOrThrow(() => decodeObject(Buffer.from([0xc1]))), SpineError)
})
