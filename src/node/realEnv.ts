/** The real Clock and Random a node process runs on; the simulator substitutes its own. */
import type { Clock, Random, TimerHandle } from '../core/env.js'

interface RealTimer extends TimerHandle {
  timer: NodeJS.Timeout
}

export class SystemClock implements Clock {
  private nextId = 1
  now(): number {
    return Date.now()
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = setTimeout(fn, ms)
    // A pending request timeout must not keep a stopping process alive.
    timer.unref()
    const handle: RealTimer = { id: this.nextId++, timer }
    return handle
  }
  clearTimer(handle: TimerHandle): void {
    clearTimeout((handle as RealTimer).timer)
  }
}

export class MathRandom implements Random {
  next(): number {
    return Math.random()
  }
  int(n: number): number {
    return Math.floor(Math.random() * n)
  }
}
