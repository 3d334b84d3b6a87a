import t from 'tap'
import type { Clock, TimerHandle } from '../core/env.js'
import { FailureDetector } from './failureDetector.js'
import { Heartbeat } from './heartbeat.js'
import type { Transport } from '../net/transport.js'

/** A hand-driven clock: time moves only when the test says. */
function manualClock() {
  let now = 1_000
  let next = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  const clock: Clock = {
    now: () => now,
    setTimer(ms, fn): TimerHandle {
      const id = next++
      timers.set(id, { at: now + ms, fn })
      return { id }
    },
    clearTimer(h) {
      timers.delete(h.id)
    },
  }
  const advance = async (ms: number) => {
    const until = now + ms
    for (;;) {
      const due = [...timers.entries()].filter(([, x]) => x.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      timers.delete(due[0])
      now = due[1].at
      due[1].fn()
      await new Promise((r) => setImmediate(r))
    }
    now = until
  }
  return { clock, advance }
}

t.test('a member is up while heard from within the window, down after silence, up again when heard', async (t) => {
  const { clock, advance } = manualClock()
  const fd = new FailureDetector(clock, 'n1', ['n1', 'n2', 'n3'], 5_000)
  t.ok(fd.isUp('n2'), 'never heard from, but within the start grace')
  await advance(4_000)
  fd.heard('n2')
  await advance(2_000)
  t.ok(fd.isUp('n2'), 'heard 2 s ago')
  t.notOk(fd.isUp('n3'), 'never heard from and the grace is over')
  t.ok(fd.isUp('n1'), 'self is always up')
  await advance(3_000)
  t.notOk(fd.isUp('n2'), 'silent for 5 s: down')
  fd.heard('n2')
  t.ok(fd.isUp('n2'), 'heard again: up')
  t.same(fd.view().map((v) => [v.node, v.up]), [['n1', true], ['n2', true], ['n3', false]])
  t.equal(fd.view().find((v) => v.node === 'n3')!.silentForMs, null)
})

t.test('heartbeats keep answering peers up and let a silent one go down', async (t) => {
  const { clock, advance } = manualClock()
  const fd = new FailureDetector(clock, 'n1', ['n1', 'n2', 'n3'], 3_000)
  const dead = new Set(['n3'])
  const transport: Transport = {
    self: 'n1',
    request: (to) => (dead.has(to) ? Promise.reject(new Error('refused')) : Promise.resolve({ pong: to })),
    serve: () => undefined,
    close: async () => undefined,
  }
  const hb = new Heartbeat(clock, transport, fd, () => ['n2', 'n3'], { intervalMs: 1_000, timeoutMs: 500 })
  hb.start()
  await advance(10_000)
  t.ok(fd.isUp('n2'))
  t.notOk(fd.isUp('n3'))
  dead.delete('n3')
  await advance(1_500)
  t.ok(fd.isUp('n3'), 'back after its next heartbeat')
  hb.stop()
  await advance(10_000)
  t.notOk(fd.isUp('n2'), 'after stop nothing is heard')
})
