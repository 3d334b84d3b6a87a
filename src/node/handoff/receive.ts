/**
 * The owner's (or incoming owner's) side of a handoff batch: merge each object into its own vnode (merge never
 * overwrites, so a batch sent twice, or racing newer writes, loses nothing), then acknowledge.
 */
import { SpineError } from '../../shared/errors.js'
import { decodeBKey } from '../../core/hash.js'
import { decodeObject } from '../../core/objectCodec.js'
import type { Ring } from '../../core/ring.js'
import type { KvEnv } from '../../kv/env.js'
import type { VnodeHost } from '../vnodeHost.js'
import { ringChecksum } from './ringChecksum.js'

export interface HandoffBatch {
  p: number
  items: Array<[Uint8Array, Uint8Array]>
  ring: string
}

export async function receiveHandoff(
  env: KvEnv,
  host: VnodeHost,
  from: string,
  batch: HandoffBatch,
  incoming: (partition: number) => boolean = () => false,
): Promise<{ ok: true; merged: number }> {
  const ring: Ring = env.ring()
  // The receiver must own the partition, or be taking it over in a committed move. Rings that
  // differ elsewhere (a membership change under way flips partitions one by one) do not matter.
  if (ring.owners[batch.p] !== env.self && !incoming(batch.p)) {
    const mine = ringChecksum(ring)
    if (batch.ring !== mine) {
      throw new SpineError('RING_MISMATCH', `handoff from ${from} with ring ${batch.ring}, this node has ${mine}`, { from, theirs: batch.ring, ours: mine })
    }
    throw new SpineError('NOT_OWNER', `${env.self} does not own partition ${batch.p}`, { partition: batch.p })
  }
  const vnode = host.vnode(batch.p)
  for (const [k, o] of batch.items) {
    const bk = decodeOrThrow(() => decodeBKey(k))
    const obj = decodeOrThrow(() => decodeObject(o))
    await vnode.merge(k, obj, env.props.get(bk.type, bk.bucket).allowMult, env.syncWrites, o)
  }
  return { ok: true, merged: batch.items.length }
}

function decodeOrThrow<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw new SpineError('INVALID_ARGUMENT', `undecodable handoff item: ${String(e)}`)
  }
}
