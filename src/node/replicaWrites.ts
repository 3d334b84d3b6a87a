/**
 * The replica side of writes: hinted-store accounting, the copy to a partition's incoming owner,
 * and the batched vnode commands a bulk load sends (one message per node instead of one per key).
 */
import { SpineError, toSpineError, type WireError } from '../api/errors.js'
import { NET } from '../config.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import type { HandoffManager } from './handoff/manager.js'
import type { CoordItem, MergeItem } from './messages.js'
import type { VnodeHost } from './vnodeHost.js'

/** A fallback's writes count against the hinted-key bound; an owner's never do. */
export async function hintedWrite<T>(handoff: HandoffManager | undefined, p: number, write: () => Promise<T>): Promise<T> {
  if (!handoff || !handoff.isHinted(p)) return write()
  handoff.hinted.checkRoom()
  const out = await write()
  handoff.hinted.noteWrite()
  return out
}

/**
 * While a partition moves to a new owner, each write the old owner takes is copied there too, so
 * the move's single pass plus these copies leave nothing behind. The copy is not awaited: a slow
 * or unreachable new owner must not slow the write, and nothing depends on it — the old owner
 * keeps the write, and once the partition flips what it holds is hinted data, handed off.
 */
export function copyToNewOwner(env: KvEnv, handoff: HandoffManager | undefined, p: number, k: Uint8Array, o: Uint8Array, am: boolean, sync: boolean): void {
  const to = handoff?.copyTo(p)
  if (!to) return
  env.transport.request(to, { op: 'vput', p, k, o, am, sync }, NET.requestTimeoutMs).catch((e: unknown) => {
    env.log.debug({ partition: p, to, err: String(e) }, 'copy to the new owner failed; handoff will carry it')
  })
}

/** A peer's bytes that do not decode are its bad argument, not this node's fault. */
export function decodeOrThrow<T>(fn: () => T, what = 'object or context'): T {
  try {
    return fn()
  } catch (e) {
    throw new SpineError('INVALID_ARGUMENT', `undecodable ${what}: ${String(e)}`)
  }
}

/** One item's failure as it travels back: the batch as a whole still answers. */
function itemError(e: unknown): WireError {
  return toSpineError(e).toWire()
}

/**
 * Every item coordinated at once: each vnode reads and writes under its per-key lock as a single
 * vcoord would, and the storage layer gathers the reads and writes issued in this turn into one
 * getMany and one batch. Per item: the stored object's bytes, or the error that refused it.
 */
export function serveCoordMany(env: KvEnv, host: VnodeHost, handoff: HandoffManager | undefined, items: CoordItem[], sync: boolean): Promise<Array<Uint8Array | WireError>> {
  return Promise.all(
    items.map(async (it) => {
      try {
        const ctx = it.ctx
        const context = ctx ? decodeOrThrow(() => decodeContext(ctx), 'context') : []
        const o = await hintedWrite(handoff, it.p, () => host.vnode(it.p).coordinate(it.k, { context, content: it.c, allowMult: it.am, sync }))
        copyToNewOwner(env, handoff, it.p, it.k, o, it.am, sync)
        return o
      } catch (e) {
        return itemError(e)
      }
    }),
  )
}

/** Every item merged at once, as serveCoordMany coordinates; per item null (stored) or its error. */
export function serveMergeMany(env: KvEnv, host: VnodeHost, handoff: HandoffManager | undefined, items: MergeItem[], sync: boolean): Promise<Array<WireError | null>> {
  return Promise.all(
    items.map(async (it) => {
      try {
        await hintedWrite(handoff, it.p, () => host.vnode(it.p).merge(it.k, decodeOrThrow(() => decodeObject(it.o), 'object'), it.am, sync, it.o))
        copyToNewOwner(env, handoff, it.p, it.k, it.o, it.am, sync)
        return null
      } catch (e) {
        return itemError(e)
      }
    }),
  )
}
