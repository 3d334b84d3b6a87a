/**
 * One answer per operation: the first decided outcome settles the promise, and a timer on the
 * injected clock settles it if nothing else does. Later replies are ignored by the promise but
 * still seen by the FSM (read repair needs them).
 */
import type { SpineError } from '../shared/errors.js'
import type { Clock } from '../core/env.js'

export class Settle<T> {
  readonly promise: Promise<T>
  private resolveFn!: (v: T) => void
  private rejectFn!: (e: SpineError) => void
  private settled = false
  private readonly timer

  constructor(
    private readonly clock: Clock,
    timeoutMs: number,
    onTimeout: () => SpineError,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve
      this.rejectFn = reject
    })
    this.timer = clock.setTimer(timeoutMs, () => this.fail(onTimeout()))
  }

  get done(): boolean {
    return this.settled
  }

  ok(v: T): void {
    if (this.finish()) this.resolveFn(v)
  }

  fail(e: SpineError): void {
    if (this.finish()) this.rejectFn(e)
  }

  private finish(): boolean {
    if (this.settled) return false
    this.settled = true
    this.clock.clearTimer(this.timer)
    return true
  }
}
