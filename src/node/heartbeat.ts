/**
 * Pings every peer on a fixed interval over the cluster transport and tells the failure detector
 * who answered. Timers come from the injected clock, so the simulator can drive it.
 */
import type { Clock, TimerHandle } from '../core/env.js'
import type { Transport } from '../net/transport.js'
import type { FailureDetector } from './failureDetector.js'

export interface HeartbeatOptions {
  intervalMs: number
  timeoutMs: number
}

export class Heartbeat {
  private timer: TimerHandle | undefined
  private stopped = false

  constructor(
    private readonly clock: Clock,
    private readonly transport: Transport,
    private readonly detector: FailureDetector,
    private readonly peers: () => readonly string[],
    private readonly opts: HeartbeatOptions,
  ) {}

  start(): void {
    this.stopped = false
    this.tick()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) this.clock.clearTimer(this.timer)
  }

  private tick(): void {
    if (this.stopped) return
    for (const peer of this.peers()) {
      this.transport.request(peer, { op: 'ping' }, this.opts.timeoutMs).then(
        () => this.detector.heard(peer),
        () => undefined, // silence is the signal; the detector times the member out
      )
    }
    this.timer = this.clock.setTimer(this.opts.intervalMs, () => this.tick())
  }
}
