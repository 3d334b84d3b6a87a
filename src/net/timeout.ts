/** Request timeouts on the injected clock, shared by every Transport so all time out alike. */
import { SpineError } from '../shared/errors.js'
import type { Clock } from '../core/env.js'

export function timeoutError(timeoutMs: number): SpineError {
  return new SpineError('TIMEOUT', `no reply within ${timeoutMs} ms`, { timeoutMs })
}

/** Races a promise against the clock; the loser's outcome is ignored. */
export function withTimeout<T>(clock: Clock, p: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimer(timeoutMs, () => reject(timeoutError(timeoutMs)))
    p.then(
      (v) => {
        clock.clearTimer(timer)
        resolve(v)
      },
      (e: unknown) => {
        clock.clearTimer(timer)
        reject(e)
      },
    )
  })
}
