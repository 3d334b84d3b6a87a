/**
 * A bound on the coordinations one port runs at once, so a flood queues in clients, not in the
 * node's heap: past the limit a request is refused with OVERLOADED rather than started.
 */
import { SpineError } from '../shared/errors.js'

export class InFlightLimit {
  private inFlight = 0

  /** `what` names the requests in the refusal: "operations", "HTTP operations", ... */
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.max) {
      throw new SpineError('OVERLOADED', `${this.inFlight} ${this.what} in flight on this node`, { inFlight: this.inFlight, max: this.max })
    }
    this.inFlight++
    try {
      return await op()
    } finally {
      this.inFlight--
    }
  }
}
