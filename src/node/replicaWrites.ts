/**
 * The replica side of writes: hinted-store accounting, the copy to a partition's incoming owner,
 * and the batched vnode commands a bulk load sends (one message per node instead of one per key).
 */
import { SpineError, toSpineError, type WireError } from '../shared/errors.js'
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

/**
 * Every item of a batched command at once, each answering for itself: one item's failure travels
 * back as its error and the batch as a whole still answers. Each vnode reads and writes under its
 * per-key lock as the single command would, and the storage layer gathers the reads and writes
 * issued in this turn into one getMany and one batch.
 */
function perItem<I, R>(items: I[], run: (item: I) => Promise<R>): Promise<Array<R | WireError>> {
  return Promise.all(items.map((it) => run(it).catch((e: unknown) => toSpineError(e).toWire())))
}

/** vcoordMany: per item the stored object's bytes, or the error that refused it. */
export function serveCoordMany(env: KvEnv, host: VnodeHost, handoff: HandoffManager | undefined, items: CoordItem[], sync: boolean): Promise<Array<Uint8Array | WireError>> {
  return perItem(items, async (it) => {
    const ctx = it.ctx
    const context = ctx ? decodeOrThrow(() => decodeContext(ctx), 'context') : []
    const o = await hintedWrite(handoff, it.p, () => host.vnode(it.p).coordinate(it.k, { context, content: it.c, allowMult: it.am, sync }))
    copyToNewOwner(env, handoff, it.p, it.k, o, it.am, sync)
    return o
  })
}

/** vputMany: per item null (stored) or its error. */
export function serveMergeMany(env: KvEnv, host: VnodeHost, handoff: HandoffManager | undefined, items: MergeItem[], sync: boolean): Promise<Array<WireError | null>> {
  return perItem(items, async (it) => {
    await hintedWrite(handoff, it.p, () => host.vnode(it.p).merge(it.k, decodeOrThrow(() => decodeObject(it.o), 'object'), it.am, sync, it.o))
    copyToNewOwner(env, handoff, it.p, it.k, it.o, it.am, sync)
    return null
  })
}
