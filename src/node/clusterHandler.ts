/** Serves node-to-node requests: vnode commands, forwarded writes and handoff batches. */
import { SpineError } from '../api/errors.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import { encodeObject } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import { parseForward } from '../kv/forward.js'
import { kvPut } from '../kv/putFsm.js'
import { parseClusterRequest, type NodeInfo } from './messages.js'
import type { VnodeHost } from './vnodeHost.js'
import type { HandoffManager } from './handoff/manager.js'
import { receiveHandoff } from './handoff/receive.js'

/** A fallback's writes count against the hinted-key bound; an owner's never do. */
async function hintedWrite<T>(handoff: HandoffManager | undefined, p: number, write: () => Promise<T>): Promise<T> {
  if (!handoff || !handoff.isHinted(p)) return write()
  handoff.hinted.checkRoom()
  const out = await write()
  handoff.hinted.noteWrite()
  return out
}

export function clusterHandler(
  env: KvEnv,
  host: VnodeHost,
  info: () => NodeInfo,
  heard: (node: string) => void = () => undefined,
  handoff?: HandoffManager,
) {
  return async (from: string, body: unknown): Promise<unknown> => {
    // Any request from a peer proves it is alive, heartbeat or not.
    if (from !== env.self) heard(from)
    const req = parseClusterRequest(body)
    switch (req.op) {
      case 'ping':
        return { pong: env.self }
      case 'info':
        return info()
      case 'hstatus':
        return handoff?.status() ?? { hintedKeys: 0, hintedPartitions: 0, transfers: [] }
      case 'vget':
        return { o: (await host.vnode(req.p).getRaw(req.k)) ?? null }
      case 'vcoord': {
        const ctx = req.ctx ? decodeOrThrow(() => decodeContext(req.ctx!)) : []
        const o = await hintedWrite(handoff, req.p, () => host.vnode(req.p).coordinate(req.k, { context: ctx, content: req.c, allowMult: req.am, sync: req.sync }))
        return { o }
      }
      case 'vput':
        await hintedWrite(handoff, req.p, () => host.vnode(req.p).merge(req.k, decodeOrThrow(() => decodeObject(req.o)), req.am, req.sync))
        return { ok: true }
      case 'vreap':
        return { reaped: await host.vnode(req.p).reap(req.k, decodeOrThrow(() => decodeContext(req.ctx))) }
      case 'handoff':
        return receiveHandoff(env, host, from, req)
      case 'kvput': {
        const result = await kvPut(env, parseForward(req.req), true)
        return { o: encodeObject(result.obj) }
      }
    }
  }
}

function decodeOrThrow<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw new SpineError('INVALID_ARGUMENT', `undecodable object or context: ${String(e)}`)
  }
}
