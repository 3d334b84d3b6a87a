/** The coordinator's side of the vnode commands, over the transport (local or remote alike). */
import { SpineError, toSpineError } from '../shared/errors.js'
import type { ReplicaReply } from '../core/getCore.js'
import type { KvObject, SiblingContent } from '../core/object.js'
import { decodeObject, encodeContext } from '../core/objectCodec.js'
import type { PrefEntry } from '../core/ring.js'
import type { VClock } from '../core/vclock.js'
import type { KvEnv } from './env.js'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

export async function replicaGet(env: KvEnv, e: PrefEntry, k: Uint8Array, timeoutMs: number, decode: (raw: Uint8Array) => KvObject = decodeObject): Promise<ReplicaReply> {
  try {
    if (e.node === env.self && env.localRead) {
      const raw = await env.localRead(e.partition, k)
      return raw ? { kind: 'ok', obj: decode(raw) } : { kind: 'notfound' }
    }
    const reply = await env.transport.request(e.node, { op: 'vget', p: e.partition, k }, timeoutMs)
    if (!isRecord(reply) || !(reply.o instanceof Uint8Array)) return { kind: 'notfound' }
    return { kind: 'ok', obj: decode(reply.o) }
  } catch (err) {
    return { kind: 'error', code: toSpineError(err).code }
  }
}

/** The coordinating vnode's write; returns the stored object's bytes to replicate. */
export async function replicaCoordinate(
  env: KvEnv,
  e: PrefEntry,
  k: Uint8Array,
  context: VClock,
  content: SiblingContent,
  allowMult: boolean,
  timeoutMs: number,
): Promise<Uint8Array> {
  const body = { op: 'vcoord', p: e.partition, k, ctx: encodeContext(context), c: content, am: allowMult, sync: env.syncWrites }
  const reply = await env.transport.request(e.node, body, timeoutMs)
  if (!isRecord(reply) || !(reply.o instanceof Uint8Array)) throw new SpineError('INTERNAL', 'coordinating vnode returned no object')
  return reply.o
}

export async function replicaMerge(
  env: KvEnv,
  e: PrefEntry,
  k: Uint8Array,
  o: Uint8Array,
  allowMult: boolean,
  timeoutMs: number,
): Promise<void> {
  await env.transport.request(e.node, { op: 'vput', p: e.partition, k, o, am: allowMult, sync: env.syncWrites }, timeoutMs)
}

export async function replicaReap(env: KvEnv, e: PrefEntry, k: Uint8Array, clock: VClock, timeoutMs: number): Promise<boolean> {
  const reply = await env.transport.request(e.node, { op: 'vreap', p: e.partition, k, ctx: encodeContext(clock) }, timeoutMs)
  return isRecord(reply) && reply.reaped === true
}
