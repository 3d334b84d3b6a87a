/**
 * The vnodes of one node, created on first use. Any partition may be asked for (fallbacks and
 * handoff will ask for partitions this node does not own), but only partitions of this ring.
 */
import { SpineError } from '../shared/errors.js'
import type { Clock } from '../core/env.js'
import type { Backend } from '../storage/backend.js'
import type { Logger } from '../shared/log.js'
import { Vnode } from './vnode.js'
import type { VnodeWriteHook } from './vnodeHooks.js'
import { LIMITS } from '../config.js'

export class VnodeHost {
  private readonly vnodes = new Map<number, Vnode>()

  constructor(
    private readonly nodeName: string,
    private readonly q: number,
    readonly backend: Backend,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly hooks: readonly VnodeWriteHook[] = [],
  ) {}

  vnode(partition: number): Vnode {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.q) {
      throw new SpineError('INVALID_ARGUMENT', `partition ${partition} is not in 0..${this.q - 1}`, { partition })
    }
    let v = this.vnodes.get(partition)
    if (!v) {
      v = new Vnode(partition, this.nodeName, this.backend, this.clock, this.log, LIMITS, this.hooks)
      this.vnodes.set(partition, v)
    }
    return v
  }

  active(): number[] {
    return [...this.vnodes.keys()].sort((a, b) => a - b)
  }
}
