/**
 * The load generators on a virtual clock: the open loop keeps its rate whatever the service time,
 * and measures latency from each operation's intended start, so a slow server shows its queueing
 * delay (no coordinated omission); the closed loop, for contrast, measures from sending.
 */
import t from 'tap'
import { closedLoop, openLoop } from '../bench/harness/openLoop.js'
import { Recorder } from '../bench/harness/recorder.js'
import type { Workload } from '../bench/harness/workload.js'
import { VirtualClock } from './harness/virtualClock.js'

/** Every operation takes serviceMs (on the clock) and is counted as sent. */
function fixedService(clock: VirtualClock, serviceMs: (i: number) => number): Workload & { started: number[] } {
  let i = 0
  const started: number[] = []
  return {
    name: 'fixed',
    opNames: ['op'],
    started,
    next() {
      const k = i++
      return {
        name: 'op',
        run: async () => {
          started.push(clock.now())
          await clock.sleep(serviceMs(k))
        },
      }
    },
  }
}

t.test('open loop, fast server: the rate is kept, latency is the service time, no queueing', async (t) => {
  const clock = new VirtualClock()
  const w = fixedService(clock, () => 2)
  const rec = new Recorder(w.opNames, 0)
  const out = await clock.run(openLoop({ workload: w, recorder: rec, clock, concurrency: 64, start: 0, measureFrom: 0, stopAt: 10_000, rate: 1800 }))
  t.equal(out.issued, 18_000, '1800 ops/s for 10 s')
  const s = rec.summary(rec.measuredSeconds())
  t.equal(s.op!.count, 18_000)
  t.ok(Math.abs(s.op!.opsPerSec - 1800) < 2, `measured ${s.op!.opsPerSec} ops/s`)
  t.equal(s.op!.latency.p99Ms, 2)
  t.equal(s.op!.queue.maxMs, 0.001, 'nothing waited (0 is recorded as the 1 µs floor)')
  // Each whole second of the timeline holds its share (by completion time: the first loses the 2 ms
  // of answers that spill into the next; the short last interval holds the spill of the tenth).
  const points = rec.points()
  t.equal(points.length, 11)
  for (const p of points.slice(0, 10)) t.ok(Math.abs(p.ops.op!.count - 1800) <= 4, `second ${p.t}: ${p.ops.op!.count}`)
  t.equal(points.reduce((a, p) => a + p.ops.op!.count, 0), 18_000)
})

t.test('open loop, a server stall: the operations due during it carry the stall in their latency', async (t) => {
  const clock = new VirtualClock()
  // 100 ops/s, 1 ms each, but operation 100 (due at 1 s) takes 1 s, and one request at a time.
  const w = fixedService(clock, (i) => (i === 100 ? 1000 : 1))
  const rec = new Recorder(w.opNames, 0)
  await clock.run(openLoop({ workload: w, recorder: rec, clock, concurrency: 1, start: 0, measureFrom: 0, stopAt: 5_000, rate: 100 }))
  const s = rec.summary(rec.measuredSeconds())
  t.equal(s.op!.count, 500, 'every due operation ran (none skipped by the stall)')
  // Operations 101..199 were due during the stall: each waited for it, the latest almost nothing.
  t.equal(w.started[101], 2000, 'operation 101 was sent when the stall ended')
  t.ok(s.op!.latency.p99Ms > 900, `p99 ${s.op!.latency.p99Ms} ms counts the stall`)
  t.ok(s.op!.latency.p95Ms > 400, `p95 ${s.op!.latency.p95Ms} ms: ~100 operations queued behind it`)
  t.ok(s.op!.queue.maxMs > 980 && s.op!.queue.maxMs < 1001, `queueing delay recorded: max ${s.op!.queue.maxMs} ms`)
  t.equal(s.op!.latency.p50Ms, 1, 'the rest ran at the service time')
})

t.test('closed loop against the same stall hides it (coordinated omission)', async (t) => {
  const clock = new VirtualClock()
  const w = fixedService(clock, (i) => (i === 100 ? 1000 : 10))
  const rec = new Recorder(w.opNames, 0)
  await clock.run(closedLoop({ workload: w, recorder: rec, clock, concurrency: 1, start: 0, measureFrom: 0, stopAt: 5_000 }))
  const s = rec.summary(rec.measuredSeconds())
  t.ok(Math.abs(s.op!.latency.p99Ms - 10) < 0.01, `p99 ${s.op!.latency.p99Ms}: only the one slow operation is slow`)
  t.ok(Math.abs(s.op!.latency.maxMs - 1000) < 1, `max ${s.op!.latency.maxMs}`)
})

t.test('open loop, server slower than the rate: the backlog grows and so does latency; the run drains', async (t) => {
  const clock = new VirtualClock()
  const w = fixedService(clock, () => 2) // 500 ops/s at concurrency 1, offered 1000
  const rec = new Recorder(w.opNames, 0)
  const out = await clock.run(openLoop({ workload: w, recorder: rec, clock, concurrency: 1, start: 0, measureFrom: 0, stopAt: 1_000, rate: 1000 }))
  t.equal(out.issued, 1000)
  t.equal(out.abandoned, 0)
  const s = rec.summary(rec.measuredSeconds())
  t.equal(s.op!.count, 1000)
  // Operation k is due at k ms and answered at 2k+2 ms: latency k+2.
  t.ok(Math.abs(s.op!.latency.maxMs - 1001) < 2, `max ${s.op!.latency.maxMs}`)
  t.ok(Math.abs(s.op!.latency.p50Ms - 502) < 2, `p50 ${s.op!.latency.p50Ms}`)
  t.ok(Math.abs(s.op!.queue.p50Ms - 500) < 2, `queue p50 ${s.op!.queue.p50Ms}`)
})

t.test('warm-up and an operation count', async (t) => {
  const clock = new VirtualClock()
  const w = fixedService(clock, () => 1)
  const rec = new Recorder(w.opNames, 1000)
  const out = await clock.run(openLoop({ workload: w, recorder: rec, clock, concurrency: 8, start: 0, measureFrom: 1000, ops: 250, rate: 500 }))
  t.equal(out.issued, 750, '500 warm-up operations, then 250 measured')
  t.equal(rec.summary(1).op!.count, 250)
  const rec2 = new Recorder(w.opNames, 0)
  const out2 = await clock.run(closedLoop({ workload: w, recorder: rec2, clock, concurrency: 4, start: clock.now(), measureFrom: clock.now(), ops: 100 }))
  t.equal(out2.issued, 100)
  t.equal(rec2.summary(1).op!.count, 100)
})

t.test('a failing operation is counted by its code, one that throws synchronously too', async (t) => {
  const clock = new VirtualClock()
  let i = 0
  const w: Workload = {
    name: 'failing',
    opNames: ['op'],
    next: () => {
      const k = i++
      return {
        name: 'op',
        run: () => {
          if (k % 3 === 0) throw Object.assign(new Error('x'), { code: 'SYNC' })
          return k % 3 === 1 ? Promise.reject(Object.assign(new Error('y'), { code: 'OVERLOADED' })) : clock.sleep(1)
        },
      }
    },
  }
  const rec = new Recorder(w.opNames, 0)
  await clock.run(openLoop({ workload: w, recorder: rec, clock, concurrency: 4, start: 0, measureFrom: 0, ops: 300, rate: 1000 }))
  const s = rec.summary(1)
  t.same(s.op!.errors, { SYNC: 100, OVERLOADED: 100 })
  t.equal(s.op!.count, 100)
})
