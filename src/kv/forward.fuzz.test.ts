/**
 * Fuzzing the parsers of a put a peer forwards (parseForwardFromPeer) and of a sibling's extras
 * (contentExtras: indexes, links, terms): valid puts with one part replaced at any depth, and
 * random wire values. Each parses or is refused with a typed error; what parses keeps the limits.
 */
import fc from 'fast-check'
import t from 'tap'
import { LIMITS } from '../config.js'
import { decodesOrTyped, fuzz, mutatedValue, wireValue } from '../../test/harness/fuzz.js'
import { forwardedPut } from '../../test/harness/fuzzSamples.js'
import { checkTerms, parseExtras } from './contentExtras.js'
import { encodeForward, parseForwardFromPeer } from './forward.js'

t.test('valid forwarded puts parse and survive a round trip', async (t) => {
  fuzz(t, 1, forwardedPut, (v) => {
    const req = parseForwardFromPeer(v)
    const again = parseForwardFromPeer({ ...encodeForward(req), terms: req.content.terms })
    // Options come back with their defaults filled in; the key and content must come back as they were.
    if (JSON.stringify([again.bk, again.content]) !== JSON.stringify([req.bk, req.content])) throw new Error('a forwarded put changed in a round trip')
  })
})

t.test('mutated forwarded puts: a put within the limits, or a typed error', async (t) => {
  fuzz(t, 2, mutatedValue(forwardedPut), (v) => {
    const req = decodesOrTyped(() => parseForwardFromPeer(v))
    if (req === undefined) return
    if (req.content.value.byteLength > LIMITS.maxValueBytes) throw new Error('value over the limit parsed')
    if (Buffer.byteLength(req.bk.key) > LIMITS.maxKeyBytes) throw new Error('key over the limit parsed')
    if ((req.content.indexes?.length ?? 0) > LIMITS.maxIndexEntries) throw new Error('too many index entries parsed')
  }, 2_000)
})

t.test('any wire value as a put, as extras, as terms: parsed or a typed error', async (t) => {
  fuzz(t, 3, wireValue, (v) => {
    decodesOrTyped(() => parseForwardFromPeer(v))
    decodesOrTyped(() => checkTerms(v))
    decodesOrTyped(() => parseExtras({ indexes: v, links: v }))
  }, 1_000)
})

t.test('index and link lists with hostile members: parsed or a typed error', async (t) => {
  const field = fc.oneof(fc.constantFrom('age_int', 'AGE_INT', 'name_bin', '_int', 'x_bin', 'a b_bin'), fc.string({ maxLength: 8 }))
  const intish = fc.oneof(fc.constantFrom(' 7', '+0', '-007', '1e3', '0x10', '9'.repeat(64), '9'.repeat(65), ''), fc.string({ maxLength: 8 }))
  const entries = fc.array(fc.oneof(fc.tuple(field, intish), fc.array(wireValue, { maxLength: 3 })), { maxLength: 5 })
  fuzz(t, 4, fc.tuple(entries, fc.array(fc.array(wireValue, { maxLength: 4 }), { maxLength: 4 })), ([indexes, links]) => {
    decodesOrTyped(() => parseExtras({ indexes, links }))
  }, 1_000)
})

t.test('regression: a quorum option that is a map with a toString key is INVALID_QUORUM, not a TypeError', async (t) => {
  // msgpack delivers {toString: 1} as a plain object whose toString is not callable; String() of it throws.
  const put = { type: 'default', bucket: 'b', key: 'k', value: Buffer.from('v'), opts: { w: { toString: 1 } } }
  t.throws(() => parseForwardFromPeer(put), { code: 'INVALID_QUORUM' })
  t.throws(() => parseForwardFromPeer({ ...put, opts: { pw: Object.create(null) as object } }), { code: 'INVALID_QUORUM' })
  t.throws(() => parseForwardFromPeer({ ...put, opts: { dw: { valueOf: 2n, n: [1n] } } }), { code: 'INVALID_QUORUM' })
})
