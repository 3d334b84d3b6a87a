/**
 * The simulated network between nodes: when, whether and how often each message arrives. Every
 * ordered pair of nodes is a link with its own latency; on top of that the fault knobs drop,
 * duplicate, reorder and delay messages, block links (a partition, symmetric or one-way) and
 * clog them (messages are held, then arrive in a burst when the clog clears). What a message
 * means is the transport's business (simTransport.ts); here it is only a callback to run on arrival.
 */
import type { NodeName } from '../net/transport.js'
import type { SeededRandom } from '../core/seededRandom.js'
import type { Scheduler } from './simClock.js'

export interface NetFaults {
  /** Probability that a message is silently lost. */
  loss: number
  /** Probability that a message arrives twice. */
  duplicate: number
  /** Probability that a message may overtake earlier ones on its link (TCP would not let it). */
  reorder: number
  /** Probability of a latency spike on one message (a GC pause, a retransmit). */
  slow: number
  slowMeanMs: number
}

export const NO_NET_FAULTS: NetFaults = { loss: 0, duplicate: 0, reorder: 0, slow: 0, slowMeanMs: 0 }

interface Link {
  /** One-way latency floor of this link. */
  baseUs: number
  /** Arrival time of the last in-order message: later ones may not arrive before it. */
  lastUs: number
  blocked: boolean
  clogUntilUs: number
  /** Messages that arrived while the link was clogged, in arrival order. */
  held: Array<() => void>
}

/** Latency of a healthy link, one way: the same rack to across a busy data centre. */
const MIN_LATENCY_US = 80
const MAX_LATENCY_US = 2_000

export class SimNetwork {
  faults: NetFaults = { ...NO_NET_FAULTS }
  messages = 0
  dropped = 0
  private readonly links = new Map<string, Link>()

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: SeededRandom,
  ) {}

  /**
   * Carry one message from `from` to `to`; onArrive runs when (if) it arrives. A link blocked at
   * either end of the trip loses the message, as a partition loses packets in flight.
   */
  send(from: NodeName, to: NodeName, onArrive: () => void): void {
    this.messages++
    const link = this.link(from, to)
    if (link.blocked || this.rng.chance(this.faults.loss)) {
      this.dropped++
      return
    }
    this.schedule(link, onArrive)
    if (this.rng.chance(this.faults.duplicate)) this.schedule(link, onArrive)
  }

  isBlocked(from: NodeName, to: NodeName): boolean {
    return this.link(from, to).blocked
  }

  setBlocked(from: NodeName, to: NodeName, blocked: boolean): void {
    this.link(from, to).blocked = blocked
  }

  /** Symmetric partition: no message crosses between different groups. */
  partition(groups: readonly (readonly NodeName[])[]): void {
    for (const [i, a] of groups.entries()) {
      for (const [j, b] of groups.entries()) {
        if (i === j) continue
        for (const x of a) for (const y of b) this.setBlocked(x, y, true)
      }
    }
  }

  /** Hold every message on the link for durationMs (extends a clog already in place). */
  clog(from: NodeName, to: NodeName, durationMs: number): void {
    const link = this.link(from, to)
    const until = this.sched.nowUs + durationMs * 1000
    if (until <= link.clogUntilUs) return
    link.clogUntilUs = until
    this.sched.at(until - this.sched.nowUs, () => {
      if (link.clogUntilUs === until) this.release(link)
    })
  }

  /** End every partition, clog and fault rate; held messages go on their way. */
  heal(): void {
    this.faults = { ...NO_NET_FAULTS }
    for (const link of this.links.values()) {
      link.blocked = false
      if (link.clogUntilUs > this.sched.nowUs) this.release(link)
    }
  }

  private schedule(link: Link, onArrive: () => void): void {
    let delay = link.baseUs + this.rng.exponential(link.baseUs / 2)
    if (this.rng.chance(this.faults.slow)) delay += this.rng.exponential(this.faults.slowMeanMs * 1000)
    let at = this.sched.nowUs + Math.round(delay)
    if (!this.rng.chance(this.faults.reorder)) {
      // In order: never before the previous in-order message (equal times keep send order).
      at = Math.max(at, link.lastUs)
      link.lastUs = at
    }
    this.sched.at(at - this.sched.nowUs, () => this.arrive(link, onArrive))
  }

  private arrive(link: Link, onArrive: () => void): void {
    if (link.blocked) {
      this.dropped++
      return
    }
    if (link.clogUntilUs > this.sched.nowUs) {
      link.held.push(onArrive)
      return
    }
    onArrive()
  }

  private release(link: Link): void {
    link.clogUntilUs = 0
    const held = link.held.splice(0)
    // Back onto the wire in the order they were held, each with a fresh (in-order) latency.
    for (const onArrive of held) this.schedule(link, onArrive)
  }

  private link(from: NodeName, to: NodeName): Link {
    const id = `${from}>${to}`
    let link = this.links.get(id)
    if (!link) {
      link = { baseUs: this.rng.range(MIN_LATENCY_US, MAX_LATENCY_US), lastUs: 0, blocked: false, clogUntilUs: 0, held: [] }
      this.links.set(id, link)
    }
    return link
  }
}
