/**
 * One node's keeper of the cluster ring: adopts newer rings from gossip, persists every change,
 * gossips on a timer (one peer per tick, round robin) and pushes its own changes to everyone, and
 * routes ring commands to the claimant, the one member that changes the ring. On the injected
 * clock and transport, so the simulator drives it exactly like a real node.
 */
import { Ticker } from './ticker.js'
import { SpineError, toSpineError } from '../shared/errors.js'
import { claimantOf, clusterRingChecksum, mergeRings, memberOf, parseClusterRing, type ClusterRing } from '../core/clusterRing.js'
import type { Clock } from '../core/env.js'
import { clearStaged, commit, completeMove, plan, removeExited, stage, stageJoin, type Plan } from '../core/membership.js'
import type { Transport } from '../net/transport.js'
import { MEMBERSHIP } from '../config.js'
import type { Moves } from './handoff/manager.js'
import type { Logger } from '../shared/log.js'
import type { RingCommand } from './ringCommand.js'

export interface RingCommandResult {
  ring: ClusterRing
  plan?: Plan
}

export interface RingManagerDeps {
  self: string
  clock: Clock
  transport: Transport
  log: Logger
  isUp(node: string): boolean
  /** Store the ring durably before it is acted on (a restart keeps it). */
  persist(cr: ClusterRing): Promise<void>
  /** A newer ring was adopted: rewire peers, detector and routing. */
  onChange(cr: ClusterRing): void
}

export class RingManager {
  private ring: ClusterRing
  private readonly ticker: Ticker
  private turn = 0
  /** Serialises adoptions so persist() sees rings in version order. */
  private chain: Promise<unknown> = Promise.resolve()
  /** Serialises the claimant's commands: each transforms the ring the previous one produced. */
  private commands: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly deps: RingManagerDeps,
    initial: ClusterRing,
  ) {
    this.ring = initial
    this.ticker = new Ticker(deps.clock, () => MEMBERSHIP.gossipIntervalMs, () => this.gossipRound())
  }

  get current(): ClusterRing {
    return this.ring
  }

  claimant(): string | undefined {
    return claimantOf(this.ring, (n) => n === this.deps.self || this.deps.isUp(n))
  }

  start(): void {
    this.ticker.start()
  }

  stop(): void {
    this.ticker.stop()
  }

  /** Keep the newer of ours and `incoming` (force: a joining node takes the cluster's outright). */
  adopt(incoming: ClusterRing, force = false): Promise<ClusterRing> {
    const run = this.chain.then(async () => {
      const next = force ? incoming : mergeRings(this.ring, incoming)
      // Gossip mostly brings our own ring back: compare contents only when the versions tie.
      if (next === this.ring || (next.version === this.ring.version && clusterRingChecksum(next) === clusterRingChecksum(this.ring))) return this.ring
      await this.deps.persist(next)
      this.ring = next
      this.deps.onChange(next)
      return next
    })
    this.chain = run.catch(() => undefined)
    return run
  }

  /**
   * Run a ring command on the claimant (here, or forwarded to it once: a forwarded command that
   * reaches a node which sees another claimant is refused rather than bounced around).
   */
  async command(cmd: RingCommand, forwarded = false): Promise<RingCommandResult> {
    const claimant = this.claimant()
    if (!claimant) throw new SpineError('NO_CLAIMANT', 'no valid member is up to change the ring')
    if (claimant !== this.deps.self) {
      if (forwarded) throw new SpineError('NO_CLAIMANT', `${this.deps.self} is not the claimant (it sees ${claimant})`, { claimant })
      const reply = (await this.deps.transport.request(claimant, { op: 'ringCmd', cmd, fwd: true }, MEMBERSHIP.commandTimeoutMs)) as { ring?: unknown; plan?: Plan }
      const ring = await this.adopt(parseClusterRing(reply.ring, MEMBERSHIP.maxMembers))
      return { ring, plan: reply.plan }
    }
    const run = this.commands.then(() => this.apply(cmd))
    this.commands = run.catch(() => undefined)
    return run
  }

  /** Gossip received: adopt it and answer with ours, so the sender learns a newer one too. */
  async gossip(incoming: ClusterRing): Promise<ClusterRing> {
    return this.adopt(incoming)
  }

  private async apply(cmd: RingCommand): Promise<RingCommandResult> {
    if (cmd.cmd === 'plan') return { ring: this.ring, plan: plan(this.ring) }
    // The plan a commit applies is returned with it, so the operator sees what started moving.
    const applied = cmd.cmd === 'commit' ? plan(this.ring) : undefined
    const next = this.transform(this.ring, cmd)
    if (next !== this.ring) {
      await this.adopt(next)
      this.pushAll()
    }
    return { ring: this.ring, plan: applied }
  }

  private transform(cr: ClusterRing, cmd: Exclude<RingCommand, { cmd: 'plan' }>): ClusterRing {
    switch (cmd.cmd) {
      case 'join':
        return stageJoin(cr, cmd.member)
      case 'stage':
        return stage(cr, cmd.change)
      case 'clear':
        return clearStaged(cr)
      case 'commit':
        return commit(cr)
      case 'moveDone':
        return completeMove(cr, cmd.move)
      case 'exited':
        return removeExited(cr, cmd.node)
    }
  }

  private peers(): string[] {
    return this.ring.members.map((m) => m.name).filter((n) => n !== this.deps.self)
  }

  private pushAll(): void {
    for (const peer of this.peers()) void this.pushTo(peer)
  }

  private async pushTo(peer: string): Promise<void> {
    try {
      const reply = (await this.deps.transport.request(peer, { op: 'ringGossip', ring: this.ring }, MEMBERSHIP.gossipTimeoutMs)) as { ring?: unknown }
      if (reply.ring) await this.adopt(parseClusterRing(reply.ring, MEMBERSHIP.maxMembers))
    } catch (e) {
      // An unreachable peer learns the ring from a later round (or from another peer).
      if (toSpineError(e).code !== 'UNREACHABLE') this.deps.log.debug({ peer, err: String(e) }, 'ring gossip failed')
    }
  }

  /** One gossip round: push the ring to the next peer in turn. */
  private gossipRound(): Promise<unknown> {
    const peers = this.peers()
    return peers.length ? this.pushTo(peers[this.turn++ % peers.length]!) : Promise.resolve()
  }

  isMember(node: string): boolean {
    return memberOf(this.ring, node) !== undefined
  }

  /** The handoff manager's view of committed moves. */
  moves(): Moves {
    const self = this.deps.self
    return {
      outgoing: () => this.ring.next.filter((m) => m.from === self),
      incoming: (p) => this.ring.next.some((m) => m.partition === p && m.to === self),
      done: async (move) => {
        await this.command({ cmd: 'moveDone', move })
      },
    }
  }
}
