/** Serves node-to-node requests: vnode commands, forwarded writes and handoff batches. */
import { SpineError } from '../api/errors.js'
import { NET } from '../config.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import { encodeObject } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import { parseForward } from '../kv/forward.js'
import { kvPut } from '../kv/putFsm.js'
import { parseClusterRequest, type NodeInfo } from './messages.js'
import type { VnodeHost } from './vnodeHost.js'
import type { HandoffManager } from './handoff/manager.js'
import type { RingManager } from './ringManager.js'
import { receiveHandoff } from './handoff/receive.js'
import { servePatientSearch } from '../patient/localSearch.js'
import { serveAae, type AaeServer } from './antiEntropy/serve.js'

/** A fallback's writes count against the hinted-key bound; an owner's never do. */
async function hintedWrite<T>(handoff: HandoffManager | undefined, p: number, write: () => Promise<T>): Promise<T> {
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
function copyToNewOwner(env: KvEnv, handoff: HandoffManager | undefined, p: number, k: Uint8Array, o: Uint8Array, am: boolean, sync: boolean): void {
  const to = handoff?.copyTo(p)
  if (!to) return
  env.transport.request(to, { op: 'vput', p, k, o, am, sync }, NET.requestTimeoutMs).catch((e: unknown) => {
    env.log.debug({ partition: p, to, err: String(e) }, 'copy to the new owner failed; handoff will carry it')
  })
}

export function clusterHandler(
  env: KvEnv,
  host: VnodeHost,
  info: () => NodeInfo,
  heard: (node: string) => void = () => undefined,
  handoff?: HandoffManager,
  ring?: RingManager,
  aae?: AaeServer,
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
        copyToNewOwner(env, handoff, req.p, req.k, o, req.am, req.sync)
        return { o }
      }
      case 'vput':
        await hintedWrite(handoff, req.p, () => host.vnode(req.p).merge(req.k, decodeOrThrow(() => decodeObject(req.o)), req.am, req.sync))
        copyToNewOwner(env, handoff, req.p, req.k, req.o, req.am, req.sync)
        return { ok: true }
      case 'vreap':
        // A copy this node holds for another owner, or of a partition moving away, must reach its
        // owner first: reaping it here could leave the owner an older live copy to bring back.
        if (handoff && (handoff.isHinted(req.p) || handoff.copyTo(req.p) !== undefined)) return { reaped: false }
        return { reaped: await host.vnode(req.p).reap(req.k, decodeOrThrow(() => decodeContext(req.ctx))) }
      case 'handoff':
        return receiveHandoff(env, host, from, req, (p) => ring?.current.next.some((m) => m.partition === p && m.to === env.self) ?? false)
      case 'psearch':
        return servePatientSearch(host.backend, env.ring().q, req.params, req.plan)
      case 'ringGet':
        return { ring: ring?.current ?? null }
      case 'ringGossip':
        if (!ring) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps a static ring')
        return { ring: await ring.gossip(req.ring) }
      case 'ringCmd':
        if (!ring) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps a static ring')
        return ring.command(req.cmd, req.fwd)
      case 'aaeStatus':
      case 'aaeRoot':
      case 'aaeBranches':
      case 'aaeSegs':
      case 'aaeKeys':
        return serveAae(env, aae, req)
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
