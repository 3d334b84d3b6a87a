import t from 'tap'
import { InFlightLimit } from './inFlight.js'

t.test('past the limit a request is refused with OVERLOADED, and a finished one frees its place', async (t) => {
  const limit = new InFlightLimit(2, 'test operations')
  const gates: Array<() => void> = []
  const held = (): Promise<string> => limit.run(() => new Promise<string>((r) => gates.push(() => r('done'))))
  const a = held()
  const b = held()
  await t.rejects(limit.run(async () => 'third'), { code: 'OVERLOADED', message: '2 test operations in flight on this node', data: { inFlight: 2, max: 2 } })
  gates.shift()!()
  t.equal(await a, 'done')
  t.equal(await limit.run(async () => 'after'), 'after', 'a place is free again')
  gates.shift()!()
  t.equal(await b, 'done')
})

t.test('a failing request frees its place too', async (t) => {
  const limit = new InFlightLimit(1, 'ops')
  await t.rejects(limit.run(async () => Promise.reject(new Error('boom'))), { message: 'boom' })
  t.equal(await limit.run(async () => 1), 1)
})
