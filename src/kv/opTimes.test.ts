import t from 'tap'
import { OpTimes } from './opTimes.js'

t.test('summary covers the window only, with ordered percentiles', async (t) => {
  const o = new OpTimes(100)
  o.record(0, 999_999)
  for (let i = 1; i <= 100; i++) o.record(100_000, i)
  const s = o.summary(100_000, 60_000)
  t.equal(s.count, 100, 'the old sample was overwritten or is outside the window')
  t.equal(s.median, 50)
  t.equal(s.p95, 95)
  t.equal(s.p99, 99)
  t.equal(s.p100, 100)
  t.equal(s.mean, 51)
  t.same(o.summary(200_000, 60_000), { count: 0, mean: 0, median: 0, p95: 0, p99: 0, p100: 0 }, 'idle: zeros')
})
