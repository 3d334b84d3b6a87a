/**
 * The simulator's pending events, ordered by (time, sequence): two events due at the same
 * microsecond run in the order they were scheduled, so the order never depends on anything but
 * the run's own history. A binary heap; cancelled events are skipped when they reach the top
 * (most timers are request timeouts that are cleared long before they are due).
 */

export interface SimEvent {
  /** Simulated microseconds since the start of the run. */
  readonly at: number
  readonly seq: number
  readonly run: () => void
  cancelled: boolean
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

export class EventQueue {
  private readonly heap: SimEvent[] = []

  get size(): number {
    return this.heap.length
  }

  push(ev: SimEvent): void {
    const h = this.heap
    h.push(ev)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(h[i]!, h[parent]!)) break
      this.swap(i, parent)
      i = parent
    }
  }

  /** The next live event without removing it. */
  peek(): SimEvent | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.removeTop()
    return this.heap[0]
  }

  pop(): SimEvent | undefined {
    const top = this.peek()
    if (top) this.removeTop()
    return top
  }

  private removeTop(): void {
    const h = this.heap
    const last = h.pop()!
    if (h.length === 0) return
    h[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < h.length && before(h[l]!, h[m]!)) m = l
      if (r < h.length && before(h[r]!, h[m]!)) m = r
      if (m === i) return
      this.swap(i, m)
      i = m
    }
  }

  private swap(i: number, j: number): void {
    const h = this.heap
    const t = h[i]!
    h[i] = h[j]!
    h[j] = t
  }
}
