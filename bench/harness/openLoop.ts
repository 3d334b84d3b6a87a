/**
 * The open loop: operations are due at a fixed rate (operation i at start + i/rate), whether or not
 * earlier ones have answered, so the offered load does not fall when the system slows down. An
 * operation is sent as soon as it is due and fewer than `concurrency` are in flight; otherwise it
 * waits in a backlog. Its latency is measured from when it was due (its intended start), not from
 * when it was sent: a stall then shows up in the latency of every operation that should have run
 * during it, instead of being hidden by the generator waiting too (coordinated omission). The time
 * spent in the backlog is recorded separately as queueing delay.
 */
import { BENCH } from '../../src/config.js'
import type { Clock } from './clock.js'
import type { Recorder } from './recorder.js'
import { errorCode, type Operation, type Workload } from './workload.js'

export interface LoopOptions {
  workload: Workload
  recorder: Recorder
  clock: Clock
  concurrency: number
  /** Clock time the loop starts (the warm-up begins). */
  start: number
  /** Clock time the measurement begins (start + warm-up). */
  measureFrom: number
  /** No operation is started (closed) or due (open) at or after this time. */
  stopAt?: number
  /** Or: stop after this many measured operations. */
  ops?: number
  /** How long to wait for operations still in flight once the loop stops. */
  drainTimeoutMs?: number
}

export interface LoopOutcome {
  /** Operations handed out, warm-up included. */
  issued: number
  /** Operations still unanswered when the drain timed out (not recorded). */
  abandoned: number
}

interface Due {
  op: Operation
  intended: number
}

export async function openLoop(o: LoopOptions & { rate: number }): Promise<LoopOutcome> {
  const { clock, recorder, workload } = o
  const interval = 1000 / o.rate
  // A queue as an array and a head index: shift() would make a long backlog quadratic.
  let backlog: Due[] = []
  let head = 0
  let inFlight = 0
  let issued = 0
  let measured = 0
  let idle: (() => void) | undefined

  const launch = (d: Due): void => {
    inFlight++
    const sent = clock.now()
    // Through then(), so an operation that throws instead of rejecting is counted the same way.
    Promise.resolve()
      .then(() => d.op.run())
      .then(
        () => recorder.record(d.op.name, d.intended, sent, clock.now()),
        (e: unknown) => recorder.record(d.op.name, d.intended, sent, clock.now(), errorCode(e)),
      )
      .finally(() => {
        inFlight--
        pump()
        if (inFlight === 0 && head === backlog.length) idle?.()
      })
  }
  const pump = (): void => {
    while (inFlight < o.concurrency && head < backlog.length) launch(backlog[head++]!)
    if (head > 4096 && head * 2 > backlog.length) {
      backlog = backlog.slice(head)
      head = 0
    }
  }

  for (let stopped = false; !stopped; ) {
    const now = clock.now()
    for (;;) {
      const intended = o.start + issued * interval
      if (intended > now) break
      if ((o.stopAt !== undefined && intended >= o.stopAt) || (o.ops !== undefined && measured >= o.ops)) {
        stopped = true
        break
      }
      backlog.push({ op: workload.next(), intended })
      issued++
      if (intended >= o.measureFrom) measured++
    }
    pump()
    if (!stopped) await clock.sleepUntil(o.start + issued * interval)
  }
  return { issued, abandoned: await drain(o, () => inFlight + backlog.length - head, (f) => (idle = f)) }
}

/** Wait until nothing is in flight (or the drain timeout); how many were still pending. */
async function drain(o: LoopOptions, pending: () => number, onIdle: (f: () => void) => void): Promise<number> {
  if (pending() === 0) return 0
  const deadline = o.clock.now() + (o.drainTimeoutMs ?? BENCH.drainTimeoutMs)
  await Promise.race([new Promise<void>((r) => onIdle(r)), o.clock.sleepUntil(deadline)])
  return pending()
}

/**
 * The closed loop: `concurrency` workers, each sending its next operation when the last one
 * answers. Throughput is whatever the system gives; latency is from sending to answer (there is
 * no intended start), so it understates what users would see under a fixed arrival rate.
 */
export async function closedLoop(o: LoopOptions): Promise<LoopOutcome> {
  const { clock, recorder, workload } = o
  let issued = 0
  let measured = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      const t0 = clock.now()
      if ((o.stopAt !== undefined && t0 >= o.stopAt) || (o.ops !== undefined && measured >= o.ops)) return
      if (t0 >= o.measureFrom) measured++
      issued++
      const op = workload.next()
      try {
        await op.run()
        recorder.record(op.name, t0, t0, clock.now())
      } catch (e) {
        recorder.record(op.name, t0, t0, clock.now(), errorCode(e))
      }
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker))
  return { issued, abandoned: 0 }
}
