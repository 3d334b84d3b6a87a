/** Serves node-to-node requests: vnode commands, forwarded writes and handoff batches. */
import { SpineError } from '../shared/errors.js'
import { decodeContext, decodeObject } from '../core/objectCodec.js'
import { encodeObject } from '../core/objectCodec.js'
import type { KvEnv } from '../kv/env.js'
import { parseForwardFromPeer } from '../kv/forward.js'
import { kvPut } from '../kv/putFsm.js'
import { parseClusterRequest, type NodeInfo } from './messages.js'
import type { VnodeHost } from './vnodeHost.js'
import type { HandoffManager } from './handoff/manager.js'
import type { RingManager } from './ringManager.js'
import { receiveHandoff } from './handoff/receive.js'
import { servePatientSearch } from '../patient/localSearch.js'
import { listPage } from './keyListing.js'
import { serveIndexQuery } from './secondaryIndexScan.js'
import { serveAae, type AaeServer } from './antiEntropy/serve.js'
import { copyToNewOwner, decodeOrThrow, hintedWrite, serveCoordMany, serveMergeMany } from './replicaWrites.js'

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
        env.stats.vnodeGets++
        return { o: (await host.vnode(req.p).getRaw(req.k)) ?? null }
      case 'vcoord': {
        env.stats.vnodePuts++
        const ctx = req.ctx ? decodeOrThrow(() => decodeContext(req.ctx!)) : []
        const o = await hintedWrite(handoff, req.p, () => host.vnode(req.p).coordinate(req.k, { context: ctx, content: req.c, allowMult: req.am, sync: req.sync }))
        copyToNewOwner(env, handoff, req.p, req.k, o, req.am, req.sync)
        return { o }
      }
      case 'vput':
        env.stats.vnodePuts++
        await hintedWrite(handoff, req.p, () => host.vnode(req.p).merge(req.k, decodeOrThrow(() => decodeObject(req.o)), req.am, req.sync, req.o))
        copyToNewOwner(env, handoff, req.p, req.k, req.o, req.am, req.sync)
        return { ok: true }
      case 'vcoordMany':
        env.stats.vnodePuts += req.items.length
        return { r: await serveCoordMany(env, host, handoff, req.items, req.sync) }
      case 'vputMany':
        env.stats.vnodePuts += req.items.length
        return { r: await serveMergeMany(env, host, handoff, req.items, req.sync) }
      case 'vreap':
        // A copy this node holds for another owner, or of a partition moving away, must reach its
        // owner first: reaping it here could leave the owner an older live copy to bring back.
        if (handoff && (handoff.isHinted(req.p) || handoff.copyTo(req.p) !== undefined)) return { reaped: false }
        return { reaped: await host.vnode(req.p).reap(req.k, decodeOrThrow(() => decodeContext(req.ctx))) }
      case 'handoff':
        return receiveHandoff(env, host, from, req, (p) => ring?.current.next.some((m) => m.partition === p && m.to === env.self) ?? false)
      case 'vlist':
        if (req.p < 0 || req.p >= env.ring().q) throw new SpineError('INVALID_ARGUMENT', `listing names vnode ${req.p} outside the ring`, { p: req.p })
        return listPage(host.backend, env.ring().q, req)
      case 'v2i':
        return { r: await serveIndexQuery(host.backend, env.ring().q, req.q, req.plan, req.limit) }
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
        const result = await kvPut(env, parseForwardFromPeer(req.req), true)
        return { o: encodeObject(result.obj) }
      }
    }
  }
}
