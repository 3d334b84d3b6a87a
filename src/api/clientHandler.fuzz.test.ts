/**
 * Fuzzing the client port's request parsing: every operation a client sends (KV, cluster views,
 * patient records), valid and with one part replaced at any depth by any value msgpack can
 * deliver, handled by a real in-process node. Each answers or fails with a typed error, never
 * INTERNAL (the code an untyped exception becomes).
 */
import fc from 'fast-check'
import t from 'tap'
import { examplePatient } from '../patient/examples.js'
import { SpineError } from '../shared/errors.js'
import { fuzzAsync, mutatedValue } from '../../test/harness/fuzz.js'
import { encodedContext } from '../../test/harness/fuzzSamples.js'
import { inProcessCluster, type InProcessCluster } from '../../test/harness/inProcess.js'
import { clientHandler } from './clientHandler.js'

let cluster: InProcessCluster
let handle: (body: unknown) => Promise<unknown>

t.before(async () => {
  cluster = await inProcessCluster(3)
  const node = cluster.nodes[0]!
  handle = clientHandler({ env: node.env, patients: node.patients, members: async () => [] })
  await handle({ op: 'put', type: 'default', bucket: 'b', key: 'k', value: Buffer.from('v'), opts: {} })
  await handle({ op: 'pcreate', record: examplePatient() })
})

t.teardown(() => cluster.stop())

const NHS = examplePatient().id
const key = fc.record({ type: fc.constant('default'), bucket: fc.constantFrom('b', 'c'), key: fc.constantFrom('k', 'k2') })
const value = fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a))
const writeOpts = fc.record({ w: fc.constantFrom(1, 2, 'quorum'), timeoutMs: fc.constant(2_000), context: fc.option(encodedContext), returnBody: fc.boolean() }, { requiredKeys: [] })

const request: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom({ op: 'ping' }, { op: 'ring' }, { op: 'status' }, { op: 'stats' }, { op: 'aaeStatus' }, { op: 'transfers', opts: { local: true } }),
  key.map((k) => ({ op: 'get', ...k, opts: { r: 2, timeoutMs: 2_000 } })),
  fc.tuple(key, value, writeOpts).map(([k, v, opts]) => ({ op: 'put', ...k, value: v, contentType: 'text/plain', meta: { a: 'b' }, indexes: [['age_int', '7']], opts })),
  fc.tuple(key, value).map(([k, v]) => ({ op: 'putMany', items: [{ ...k, value: v, contentType: 'text/plain', context: null }], opts: { timeoutMs: 2_000 } })),
  key.map((k) => ({ op: 'delete', ...k, opts: { timeoutMs: 2_000 } })),
  key.map((k) => ({ op: 'replicas', ...k })),
  fc.constant({ op: 'pget', nhs: NHS }),
  fc.constant({ op: 'pcreate', record: examplePatient() }),
  fc.constant({ op: 'pput', nhs: NHS, ifMatch: 'W/"1"', record: examplePatient() }),
  fc.constant({ op: 'ppatch', nhs: NHS, ifMatch: 'W/"1"', patch: [{ op: 'replace', path: '/gender', value: 'female' }] }),
  fc.constant({ op: 'psearch', params: { family: 'Smith', birthdate: ['1970-01-01'] } }),
  fc.constant({ op: 'pmerge', source: NHS, target: '9000000009' }),
  fc.constant({ op: 'pload', records: [examplePatient()] }),
)

t.test('client requests with one part replaced by any wire value: an answer or a typed error, never INTERNAL', async (t) => {
  await fuzzAsync(t, 1, mutatedValue(request), async (body) => {
    try {
      await handle(body)
    } catch (e) {
      if (!(e instanceof SpineError)) throw new Error(`untyped ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`)
      if (e.code === 'INTERNAL') throw new Error(`INTERNAL: ${e.message}`)
    }
  }, 400)
})

t.test('regression: a record holding a bigint (msgpack uint64 decodes as one) is refused as invalid, not INTERNAL', async (t) => {
  const r = (await handle({ op: 'pcreate', record: { ...examplePatient(), resourceType: 1n } })) as { ok: boolean; errors?: Array<{ code: string; message: string }> }
  t.equal(r.ok, false)
  t.equal(r.errors?.[0]?.code, 'INVALID_VALUE')
  t.match(r.errors?.[0]?.message ?? '', /1n/, 'the diagnostic shows the value')
})
