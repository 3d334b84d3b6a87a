/** The harness's HDR histograms give the percentiles of known inputs (to their 3 significant digits). */
import t, { type Test } from 'tap'
import { LatencyHistogram } from '../bench/harness/histogram.js'
import { Recorder } from '../bench/harness/recorder.js'

const close = (t: Test, got: number, want: number, what: string): void => {
  t.ok(Math.abs(got - want) <= want * 0.001 + 0.001, `${what}: ${got} ≈ ${want}`)
}

t.test('1..10000 µs: percentiles are the matching ranks', async (t) => {
  const h = new LatencyHistogram()
  for (let us = 1; us <= 10_000; us++) h.recordMs(us / 1000)
  t.equal(h.count, 10_000)
  const p = h.percentiles()
  close(t, p.p50Ms, 5, 'p50')
  close(t, p.p95Ms, 9.5, 'p95')
  close(t, p.p99Ms, 9.9, 'p99')
  close(t, p.p999Ms, 9.99, 'p99.9')
  close(t, p.maxMs, 10, 'max')
  close(t, p.meanMs, 5.0005, 'mean')
})

t.test('a few slow outliers show at p99.9 and max, not p50', async (t) => {
  const h = new LatencyHistogram()
  for (let i = 0; i < 9_990; i++) h.recordMs(2)
  for (let i = 0; i < 10; i++) h.recordMs(500)
  close(t, h.percentileMs(50), 2, 'p50')
  close(t, h.percentileMs(99), 2, 'p99')
  close(t, h.percentileMs(99.95), 500, 'p99.95')
  close(t, h.maxMs, 500, 'max')
})

t.test('values beyond the range are clamped, not lost; empty is NaN', async (t) => {
  const h = new LatencyHistogram()
  t.ok(Number.isNaN(h.percentileMs(50)))
  h.recordMs(0)
  h.recordMs(1e9)
  t.equal(h.count, 2)
  t.equal(h.percentileMs(0), 0.001)
  close(t, h.maxMs, 120_000, 'max at the cap')
})

t.test('the recorder: warm-up dropped, errors by code, one timeline point per interval', async (t) => {
  const rec = new Recorder(['get', 'put'], 1000, 1000)
  rec.record('get', 500, 500, 1200) // warm-up: not recorded
  for (let i = 0; i < 100; i++) rec.record('get', 1000 + i * 10, 1000 + i * 10, 1000 + i * 10 + 4)
  rec.record('put', 1500, 1500, 1510, 'TIMEOUT')
  rec.record('put', 1600, 1600, 1610, 'TIMEOUT')
  rec.record('put', 2500, 2500, 2508)
  rec.record('get', 3100, 3100, 3600) // a 0.5 s get ending 0.6 s into the third second
  const s = rec.summary(2.6)
  t.equal(s.get!.count, 101)
  t.same(s.put!.errors, { TIMEOUT: 2 })
  t.equal(s.put!.count, 1)
  t.equal(s.all!.errorCount, 2)
  close(t, s.get!.latency.p50Ms, 4, 'get p50')
  close(t, s.get!.latency.maxMs, 500, 'get max')
  const points = rec.points()
  t.same(points.map((p) => p.t), [1, 2, 2.6])
  t.same(points.map((p) => p.ops.get!.count), [100, 0, 1])
  t.same(points.map((p) => p.ops.put!.errors), [2, 0, 0])
  t.equal(points[1]!.ops.put!.count, 1)
  t.equal(points[2]!.dt, 0.6)
})
