/**
 * The live progress line on stderr: ops/s and errors over the last interval, p99 so far. On a
 * terminal it rewrites one line; otherwise it prints a line every few intervals, for logs.
 */
import { BENCH } from '../../src/config.js'
import type { Clock } from './clock.js'
import type { Recorder } from './recorder.js'
import { ms } from './summary.js'

const LOG_EVERY = 5

export function startProgress(label: string, rec: Recorder, clock: Clock, enabled: boolean): () => void {
  const tty = process.stderr.isTTY === true
  const started = clock.now()
  let ticks = 0
  let errors = 0
  const timer = setInterval(() => {
    const now = clock.now()
    // Closes empty intervals too, so a stall shows in the timeline as zero throughput.
    rec.roll(now)
    const w = rec.takeWindow()
    errors += w.errors
    ticks++
    if (!enabled) return
    const line = `${label} ${((now - started) / 1000).toFixed(0).padStart(4)} s  ${Math.round((w.ops * 1000) / BENCH.intervalMs).toString().padStart(7)} ops/s  errors ${errors}  p99 ${ms(w.p99Ms)} ms`
    if (tty) process.stderr.write(`\r${line}\x1b[K`)
    else if (ticks % LOG_EVERY === 0) process.stderr.write(line + '\n')
  }, BENCH.intervalMs)
  return () => {
    clearInterval(timer)
    if (enabled && tty) process.stderr.write('\n')
  }
}
