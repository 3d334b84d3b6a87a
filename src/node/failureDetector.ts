/**
 * Which members this node believes are up. A member is up while it was heard from (a heartbeat
 * reply, or any request it sent us) within `downAfterMs`; a member never heard from gets the
 * same grace from the detector's start. A fixed timeout rather than phi-accrual: on a LAN with
 * ~1 s heartbeats a fixed silence is easy to reason about and to replay in the simulator, and
 * the cost of a false "down" is only a sloppy-quorum fallback (see docs/decisions.md).
 */
import type { Clock } from '../core/env.js'

export interface MemberHealth {
  node: string
  up: boolean
  /** ms since this node last heard from the member; null if never */
  silentForMs: number | null
}

export class FailureDetector {
  private readonly lastHeard = new Map<string, number>()
  private readonly startedAt: number

  constructor(
    private readonly clock: Clock,
    private readonly self: string,
    private members: readonly string[],
    private readonly downAfterMs: number,
  ) {
    this.startedAt = clock.now()
  }

  /** Called when a member held down is heard again (hinted handoff starts at once, not at its next tick). */
  onUp: ((node: string) => void) | undefined

  heard(node: string): void {
    const wasDown = !this.isUp(node)
    this.lastHeard.set(node, this.clock.now())
    if (wasDown) this.onUp?.(node)
  }

  isUp(node: string): boolean {
    if (node === this.self) return true
    return this.clock.now() - (this.lastHeard.get(node) ?? this.startedAt) < this.downAfterMs
  }

  setMembers(members: readonly string[]): void {
    this.members = members
  }

  view(): MemberHealth[] {
    const now = this.clock.now()
    return this.members.map((node) => {
      const at = this.lastHeard.get(node)
      return { node, up: this.isUp(node), silentForMs: node === this.self ? 0 : at === undefined ? null : now - at }
    })
  }
}
