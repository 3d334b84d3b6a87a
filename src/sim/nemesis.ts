/**
 * The fault injector. While the workload runs it picks, at random intervals, one of the fault
 * kinds the run allows: partitions (symmetric and one-way), clogged links, flaky spells of loss,
 * duplication and reordering, process crashes, power losses, and clock skew. Every fault heals
 * by itself after a random while, and healAll() ends them all before the checkers run.
 */
import type { History } from './history.js'
import type { FaultParams } from './params.js'
import type { SeededRandom } from '../core/seededRandom.js'
import type { Scheduler } from './simClock.js'
import type { SimCluster } from './simCluster.js'
import type { SimNetwork } from './simNetwork.js'

type Action = () => Promise<void> | void

export class Nemesis {
  private stopped = false
  actions = 0

  constructor(
    private readonly sched: Scheduler,
    private readonly cluster: SimCluster,
    private readonly net: SimNetwork,
    private readonly rng: SeededRandom,
    private readonly p: FaultParams,
    private readonly history: History,
  ) {
    net.faults = { ...p.baseNet }
  }

  async run(): Promise<void> {
    const actions = this.menu()
    if (actions.length === 0) return
    for (;;) {
      await this.sched.sleep(this.rng.exponential(this.p.gapMeanMs))
      if (this.stopped) return
      this.actions++
      await this.rng.pick(actions)()
    }
  }

  /** No new faults; those in place stay until healAll(). */
  stop(): void {
    this.stopped = true
  }

  healAll(): void {
    this.net.heal()
    for (const name of this.cluster.down()) this.cluster.restart(name)
    this.note('heal all')
  }

  private menu(): Action[] {
    const out: Action[] = []
    if (this.p.net) out.push(() => this.partition(), () => this.oneWay(), () => this.clog(), () => this.flaky())
    if (this.p.crash) out.push(() => this.crash(), () => this.crash())
    if (this.p.powerLoss) out.push(() => this.powerLoss())
    if (this.p.skew) out.push(() => this.skew())
    if (this.p.membership) out.push(() => this.membershipChange())
    return out
  }

  /**
   * Join an up spare, or have a valid member leave (keeping at least N valid members), staged and
   * committed through an up member as an operator would; one change at a time, as plan requires.
   * Refusals (no claimant in this partition, a change still moving) are noted and skipped.
   */
  private async membershipChange(): Promise<void> {
    const via = this.cluster.names.filter((n) => this.cluster.isUp(n))
    if (via.length === 0) return
    const rm = this.cluster.incarnation(this.rng.pick(via))!.node.ringManager
    if (!rm || rm.current.next.length > 0 || rm.current.staged.length > 0) return
    const spares = this.cluster.spares()
    const valid = rm.current.members.filter((m) => m.status === 'valid').map((m) => m.name)
    try {
      if (spares.length > 0 && this.rng.chance(0.6)) {
        const spare = this.rng.pick(spares)
        const { ring } = await rm.command({ cmd: 'join', member: { name: spare, host: 'sim', port: 1 } })
        await this.cluster.incarnation(spare)?.node.ringManager?.adopt(ring, true)
        this.note(`join ${spare}`)
      } else if (valid.length > this.p.minValid) {
        const leaving = this.rng.pick(valid)
        await rm.command({ cmd: 'stage', change: { kind: 'leave', node: leaving } })
        this.note(`leave ${leaving}`)
      } else return
      await rm.command({ cmd: 'commit' })
      this.note('commit')
    } catch (e) {
      this.note(`membership change refused: ${e instanceof Error ? e.message.slice(0, 80) : String(e)}`)
    }
  }

  private partition(): void {
    const shuffled = this.shuffle(this.cluster.names)
    const cut = this.rng.range(1, shuffled.length - 1)
    const a = shuffled.slice(0, cut)
    const b = shuffled.slice(cut)
    this.net.partition([a, b])
    this.note(`partition ${a.join(',')} | ${b.join(',')}`)
    this.later(() => {
      for (const x of a) for (const y of b) this.setBoth(x, y, false)
      this.note(`heal ${a.join(',')} | ${b.join(',')}`)
    })
  }

  private oneWay(): void {
    const [from, to] = this.pair()
    this.net.setBlocked(from, to, true)
    this.note(`block ${from}->${to}`)
    this.later(() => {
      this.net.setBlocked(from, to, false)
      this.note(`unblock ${from}->${to}`)
    })
  }

  private clog(): void {
    const [from, to] = this.pair()
    const ms = this.duration()
    this.net.clog(from, to, ms)
    if (this.rng.chance(0.5)) this.net.clog(to, from, ms)
    this.note(`clog ${from}<->${to} ${Math.round(ms)}ms`)
  }

  private flaky(): void {
    this.net.faults = {
      loss: this.rng.next() * 0.3,
      duplicate: this.rng.next() * 0.1,
      reorder: this.rng.next() * 0.5,
      slow: this.rng.next() * 0.1,
      slowMeanMs: this.rng.range(10, 1000),
    }
    this.note(`flaky loss=${this.net.faults.loss.toFixed(2)} dup=${this.net.faults.duplicate.toFixed(2)}`)
    this.later(() => {
      this.net.faults = { ...this.p.baseNet }
      this.note('flaky over')
    })
  }

  /** Crash a node, but leave a majority up: with most of the cluster down nothing is exercised. */
  private victim(): string | undefined {
    const up = this.cluster.up()
    const maxDown = Math.ceil(this.cluster.names.length / 2) - 1
    if (this.cluster.names.length - up.length >= maxDown) return undefined
    return this.rng.pick(up)
  }

  private crash(): void {
    const name = this.victim()
    if (name === undefined) return
    this.cluster.crash(name)
    this.note(`crash ${name}`)
    this.later(() => this.restart(name))
  }

  private async powerLoss(): Promise<void> {
    const name = this.victim()
    if (name === undefined) return
    const lost = await this.cluster.powerLoss(name, this.rng)
    this.note(`power loss ${name} (${lost} unsynced writes lost)`)
    this.later(() => this.restart(name))
  }

  private restart(name: string): void {
    if (this.cluster.isUp(name)) return
    this.cluster.restart(name)
    this.note(`restart ${name}`)
  }

  private skew(): void {
    const name = this.rng.pick(this.cluster.names)
    const ms = Math.round((this.rng.next() * 2 - 1) * this.p.maxSkewMs)
    this.cluster.setSkew(name, ms)
    this.note(`skew ${name} ${ms}ms`)
  }

  private setBoth(a: string, b: string, blocked: boolean): void {
    this.net.setBlocked(a, b, blocked)
    this.net.setBlocked(b, a, blocked)
  }

  /** Heal a fault after a random while, unless healAll() came first. */
  private later(heal: () => void): void {
    void this.sched.sleep(this.duration()).then(() => {
      if (!this.stopped) heal()
    })
  }

  private duration(): number {
    return this.rng.exponential(this.p.durationMeanMs)
  }

  private pair(): [string, string] {
    const [a, b] = this.shuffle(this.cluster.names)
    return [a!, b!]
  }

  private shuffle(items: readonly string[]): string[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1)
      ;[out[i], out[j]] = [out[j]!, out[i]!]
    }
    return out
  }

  private note(what: string): void {
    this.history.fault(this.sched.nowUs / 1000, what)
  }
}
