/**
 * Valid values for the fuzz tests to mutate: stored objects, sibling contents, causal contexts and
 * cluster requests, as arbitraries. Valid encodings reach a decoder's deep branches, where random
 * bytes rarely get.
 */
import fc from 'fast-check'
import type { KvObject, SiblingContent } from '../../src/core/object.js'
import { staticRing } from '../../src/core/clusterRing.js'
import { encodeContext, encodeObject } from '../../src/core/objectCodec.js'
import type { VClock } from '../../src/core/vclock.js'

const bytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a))

export const clock: fc.Arbitrary<VClock> = fc.array(
  fc.record({ actor: fc.constantFrom('n1/0', 'n2/5', 'n3/63'), counter: fc.nat({ max: 1_000_000 }), ts: fc.nat() }),
  { maxLength: 4 },
)

export const content: fc.Arbitrary<SiblingContent> = fc.record(
  {
    value: bytes(64),
    contentType: fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'),
    lastModified: fc.nat(),
    meta: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
    deleted: fc.boolean(),
    indexes: fc.array(fc.tuple(fc.constantFrom('age_int', 'name_bin', 'x.y_bin'), fc.integer({ min: 0, max: 120 }).map(String)), { minLength: 1, maxLength: 3 }),
    links: fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 2 }),
    terms: fc.array(fc.constantFrom('family:SMITH', 'birthdate:19700101', 'postcode:LS16AE'), { maxLength: 3 }),
  },
  { requiredKeys: ['value', 'contentType', 'lastModified', 'meta', 'deleted'] },
)

export const kvObject: fc.Arbitrary<KvObject> = fc.record({
  clock,
  siblings: fc.array(fc.tuple(content, fc.record({ actor: fc.constantFrom('n1/0', 'n2/5'), counter: fc.nat({ max: 1000 }) })).map(([c, dot]) => ({ ...c, dot })), { maxLength: 3 }),
})

export const encodedObject: fc.Arbitrary<Buffer> = kvObject.map(encodeObject)
export const encodedContext: fc.Arbitrary<Buffer> = clock.map(encodeContext)

const key = bytes(16)
const p = fc.nat({ max: 63 })
const ring = staticRing(
  [
    { name: 'n1', host: '127.0.0.1', port: 8700 },
    { name: 'n2', host: '127.0.0.1', port: 8710 },
  ],
  8,
  2,
)

/** One of each kind of cluster-port request, valid. */
export const clusterRequest: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom({ op: 'ping' }, { op: 'info' }, { op: 'hstatus' }, { op: 'ringGet' }, { op: 'aaeStatus' }),
  fc.constant({ op: 'ringGossip', ring }),
  fc.constantFrom(
    { op: 'ringCmd', cmd: { cmd: 'join', member: { name: 'n3', host: '127.0.0.1', port: 8720 } }, fwd: true },
    { op: 'ringCmd', cmd: { cmd: 'stage', change: { kind: 'replace', node: 'n1', by: 'n3' } }, fwd: false },
    { op: 'ringCmd', cmd: { cmd: 'moveDone', move: { partition: 3, from: 'n1', to: 'n2' } }, fwd: false },
    { op: 'ringCmd', cmd: { cmd: 'plan' }, fwd: false },
  ),
  fc.record({ op: fc.constant('vget'), p, k: key }),
  fc.record({ op: fc.constant('vcoord'), p, k: key, ctx: fc.option(encodedContext), c: content, am: fc.boolean(), sync: fc.boolean() }),
  fc.record({ op: fc.constant('vput'), p, k: key, o: encodedObject, am: fc.boolean(), sync: fc.boolean() }),
  fc.record({ op: fc.constant('vreap'), p, k: key, ctx: encodedContext }),
  fc.record({ op: fc.constant('vcoordMany'), items: fc.array(fc.record({ p, k: key, ctx: fc.constant(null), c: content, am: fc.boolean() }), { maxLength: 3 }), sync: fc.boolean() }),
  fc.record({ op: fc.constant('vputMany'), items: fc.array(fc.record({ p, k: key, o: encodedObject, am: fc.boolean() }), { maxLength: 3 }), sync: fc.boolean() }),
  fc.record({ op: fc.constant('handoff'), p, items: fc.array(fc.tuple(key, encodedObject), { maxLength: 3 }), ring: fc.constant('abc') }),
  fc.record({ op: fc.constant('psearch'), params: fc.constant({ family: ['Smith'], birthdate: ['1970-01-01'] }), plan: fc.constant([{ vnode: 0, partitions: [0, 1] }]) }),
  fc.record({ op: fc.constant('vlist'), p, type: fc.constant('default'), bucket: fc.option(fc.string({ maxLength: 8 })), parts: fc.option(fc.array(p, { maxLength: 3 })), after: fc.option(key), limit: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ op: fc.constantFrom('aaeRoot', 'aaeBranches'), p, hp: p, n: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('aaeSegs'), p, hp: p, n: fc.constant(3), b: fc.array(fc.nat({ max: 63 }), { maxLength: 4 }) }),
  fc.record({ op: fc.constant('aaeKeys'), p, hp: p, n: fc.constant(3), s: fc.array(fc.nat({ max: 4095 }), { maxLength: 4 }) }),
)

/** A put forwarded by a peer (src/kv/forward.ts): bucket and key, content, options, index terms. */
export const forwardedPut: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    type: fc.constant('default'),
    bucket: fc.string({ minLength: 1, maxLength: 8 }),
    key: fc.string({ minLength: 1, maxLength: 8 }),
    value: bytes(64),
    contentType: fc.constant('application/json'),
    meta: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
    deleted: fc.boolean(),
    indexes: fc.constant([['age_int', '42']]),
    links: fc.constant([['b', 'k', 'tag']]),
    terms: fc.constant(['family:SMITH']),
    opts: fc.record({ w: fc.constantFrom(1, 2, 'quorum', 'all'), pw: fc.constantFrom(0, 1), timeoutMs: fc.integer({ min: 1, max: 10_000 }), returnBody: fc.boolean(), context: fc.option(encodedContext) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['type', 'bucket', 'key', 'value'] },
)
