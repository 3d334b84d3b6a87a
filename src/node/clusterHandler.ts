/** Serves node-to-node requests: vnode commands and forwarded writes. */
import { SpineError } from '../api/errors.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import { encodeObject } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import { parseForward } from '../kv/forward.js'
import { kvPut } from '../kv/putFsm.js'
import { parseClusterRequest, type NodeInfo } from './messages.js'
import type { VnodeHost } from './vnodeHost.js'

export function clusterHandler(env: KvEnv, host: VnodeHost, info: () => NodeInfo, heard: (node: string) => void = () => undefined) {
  return async (from: string, body: unknown): Promise<unknown> => {
    // Any request from a peer proves it is alive, heartbeat or not.
    if (from !== env.self) heard(from)
    const req = parseClusterRequest(body)
    switch (req.op) {
      case 'ping':
        return { pong: env.self }
      case 'info':
        return info()
      case 'vget':
        return { o: (await host.vnode(req.p).getRaw(req.k)) ?? null }
      case 'vcoord': {
        const ctx = req.ctx ? decodeOrThrow(() => decodeContext(req.ctx!)) : []
        const o = await host.vnode(req.p).coordinate(req.k, { context: ctx, content: req.c, allowMult: req.am, sync: req.sync })
        return { o }
      }
      case 'vput':
        await host.vnode(req.p).merge(req.k, decodeOrThrow(() => decodeObject(req.o)), req.am, req.sync)
        return { ok: true }
      case 'vreap':
        return { reaped: await host.vnode(req.p).reap(req.k, decodeOrThrow(() => decodeContext(req.ctx))) }
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
