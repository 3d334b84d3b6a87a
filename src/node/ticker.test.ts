import t from 'tap'
import { NodeClock, Scheduler } from '../sim/simClock.js'
import { Ticker } from './ticker.js'

function setup() {
  const sched = new Scheduler()
  return { sched, clock: new NodeClock(sched, () => 0) }
}

t.test('a synchronous task runs every interval until stopped', async (t) => {
  const { sched, clock } = setup()
  const at: number[] = []
  const ticker = new Ticker(clock, () => 100, () => void at.push(sched.nowUs / 1000))
  t.notOk(ticker.running)
  ticker.start()
  t.ok(ticker.running)
  await sched.runFor(450)
  t.same(at, [100, 200, 300, 400])
  ticker.stop()
  await sched.runFor(500)
  t.equal(at.length, 4, 'nothing runs after stop')
})

t.test('an asynchronous task is re-armed only when it settles, so runs never overlap', async (t) => {
  const { sched, clock } = setup()
  let inFlight = 0
  let maxInFlight = 0
  const starts: number[] = []
  const ticker = new Ticker(clock, () => 100, async () => {
    starts.push(sched.nowUs / 1000)
    maxInFlight = Math.max(maxInFlight, ++inFlight)
    await sched.sleep(250)
    inFlight--
  })
  ticker.start()
  await sched.runFor(1000)
  t.equal(maxInFlight, 1)
  t.same(starts, [100, 450, 800], 'each run starts one interval after the last one ended')
  ticker.stop()
})

t.test('a failing asynchronous run still re-arms, and the interval is read each time', async (t) => {
  const { sched, clock } = setup()
  let interval = 100
  const at: number[] = []
  const ticker = new Ticker(clock, () => interval, async () => {
    at.push(sched.nowUs / 1000)
    interval = 200
    throw new Error('boom')
  })
  ticker.start()
  process.on('unhandledRejection', () => t.fail('the rejection escaped'))
  await sched.runFor(550)
  t.same(at, [100, 300, 500])
  ticker.stop()
})
