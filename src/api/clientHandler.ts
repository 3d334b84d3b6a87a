/**
 * The client port's operations: the wire in front of the coordinators. Each field is checked
 * here, once, so a malformed request gets a typed error and reaches nothing stored.
 */
import { clusterAae, clusterStatus, clusterTransfers, type MembersOf } from './clusterView.js'
import { SpineError } from '../shared/errors.js'
import { KV, NET } from '../config.js'
import { encodeBKey, type BKey } from '../core/hash.js'
import { liveSiblings, type KvObject } from '../core/object.js'
import { decodeObject, encodeContext } from '../core/objectCodec.js'
import { preflist } from '../core/ring.js'
import type { KvEnv } from '../kv/env.js'
import { kvDelete } from '../kv/deleteFsm.js'
import { parseForward, parseWriteOptions } from '../kv/forward.js'
import { putManyOp } from './putManyOp.js'
import { indexOp } from './clientIndexOp.js'
import { kvGet } from '../kv/getFsm.js'
import { kvPut } from '../kv/putFsm.js'
import { checkBKey, checkBoolean, checkQuorumSpec, checkTimeout, type ReadOptions } from '../kv/request.js'
import type { TransferStatus } from '../node/handoff/transfer.js'
import type { MembershipOps } from '../node/membershipOps.js'
import { isNodeName } from '../node/members.js'
import type { PatientStore } from '../patient/patientStore.js'
import { isPatientOp, patientOp } from './patientOps.js'
import { InFlightLimit } from './inFlight.js'

export interface ClientApiDeps {
  env: KvEnv
  /** Patient records (`kv.patients`); without it the patient operations are UNKNOWN_OPERATION. */
  patients?: PatientStore
  /** Addresses of every member, for clients that route straight to a primary. */
  members: MembersOf
  /** Handoffs in progress and waiting on this node (`spinekv cluster transfers`). */
  transfers?(): TransferStatus[]
  /** Dynamic membership (absent on nodes with a static ring). */
  membership?: MembershipOps
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function readOptions(v: unknown): ReadOptions {
  if (v === undefined || v === null) return {}
  if (!isRecord(v)) throw new SpineError('INVALID_ARGUMENT', 'options must be a map', { field: 'opts' })
  return {
    r: checkQuorumSpec('r', v.r),
    pr: checkQuorumSpec('pr', v.pr),
    notfoundOk: typeof v.notfoundOk === 'boolean' ? v.notfoundOk : undefined,
    timeoutMs: checkTimeout(v.timeoutMs),
    sloppyQuorum: checkBoolean('sloppyQuorum', v.sloppyQuorum),
  }
}

function siblingsOut(obj: KvObject | undefined): Array<Record<string, unknown>> {
  if (!obj) return []
  return liveSiblings(obj).map((s) => ({ value: s.value, contentType: s.contentType, lastModified: s.lastModified, meta: s.meta }))
}

/** Bounds the coordinations one node runs at once, so a flood queues in clients, not in our heap. */
export function clientHandler(deps: ClientApiDeps, maxInFlight: number = KV.maxInFlightOps) {
  const limit = new InFlightLimit(maxInFlight, 'operations')
  const handle = dispatch(deps)
  return (body: unknown): Promise<unknown> => limit.run(() => handle(body))
}

function dispatch(deps: ClientApiDeps) {
  const { env } = deps
  return async (body: unknown): Promise<unknown> => {
    if (!isRecord(body) || typeof body.op !== 'string') throw new SpineError('INVALID_ARGUMENT', 'request must be a map with an op')
    switch (body.op) {
      case 'ping':
        return { pong: env.self }
      case 'get': {
        const r = await kvGet(env, checkBKey(body.type, body.bucket, body.key), readOptions(body.opts))
        const siblings = siblingsOut(r.obj)
        return { found: siblings.length > 0, siblings, context: r.context.length ? encodeContext(r.context) : null }
      }
      case 'put': {
        const req = parseForward(body)
        const r = await kvPut(env, req)
        return { context: encodeContext(r.context), siblings: req.opts.returnBody ? siblingsOut(r.obj) : undefined }
      }
      case 'putMany':
        return putManyOp(env, body)
      case 'index':
        return indexOp(env, body)
      case 'delete': {
        const opts = { ...parseWriteOptions(body.opts), ...readOptions(body.opts) }
        await kvDelete(env, checkBKey(body.type, body.bucket, body.key), opts)
        return { ok: true }
      }
      case 'ring':
        return ringView(deps)
      case 'replicas':
        return replicas(env, checkBKey(body.type, body.bucket, body.key))
      case 'transfers':
        // The whole cluster's by default (as riak-admin transfers); {local: true} for this node's.
        if (isRecord(body.opts) && body.opts.local === true) return { node: env.self, transfers: deps.transfers?.() ?? [], unreachable: [] }
        return clusterTransfers(env, deps.members)
      case 'status':
        return clusterStatus(env, deps.members)
      case 'aaeStatus':
        return clusterAae(env, deps.members)
      case 'join':
      case 'leave':
      case 'force-remove':
      case 'replace':
      case 'plan':
      case 'commit':
      case 'clear':
      case 'clusterRing':
        return membershipOp(deps, body)
      case 'stats':
        return { node: env.self, ...env.stats }
      default:
        if (deps.patients && isPatientOp(body.op)) return patientOp(deps.patients, body.op, body)
        throw new SpineError('UNKNOWN_OPERATION', `unknown operation ${JSON.stringify(body.op)}`, { op: body.op })
    }
  }
}

function nodeArg(v: unknown, what: string): string {
  if (typeof v !== 'string' || !isNodeName(v)) throw new SpineError('INVALID_ARGUMENT', `${what} must be a node name`, { field: what })
  return v
}

async function membershipOp(deps: ClientApiDeps, body: Record<string, unknown>): Promise<unknown> {
  const m = deps.membership
  if (!m) throw new SpineError('UNKNOWN_OPERATION', 'this node keeps a static ring', { op: body.op })
  switch (body.op) {
    case 'join':
      if (typeof body.seed !== 'string') throw new SpineError('INVALID_ARGUMENT', 'join needs a seed HOST:CLUSTER_PORT', { field: 'seed' })
      return m.join(body.seed)
    case 'leave':
      return m.stage('leave', body.node === undefined || body.node === null ? deps.env.self : nodeArg(body.node, 'node'))
    case 'force-remove':
      return m.stage('force-remove', nodeArg(body.node, 'node'))
    case 'replace':
      return m.replace(nodeArg(body.node, 'node'), nodeArg(body.by, 'by'))
    case 'plan':
      return m.plan()
    case 'commit':
      return m.commit()
    case 'clear':
      return m.clear()
    default:
      return m.ring()
  }
}

async function ringView(deps: ClientApiDeps): Promise<unknown> {
  const ring = deps.env.ring()
  return { q: ring.q, owners: ring.owners, members: await deps.members(), defaults: deps.env.props.get('default', '') }
}

/** Every primary's own copy, without merging or repairing: the operator's view of divergence. */
async function replicas(env: KvEnv, bk: BKey): Promise<unknown> {
  const { n } = env.props.get(bk.type, bk.bucket)
  const k = encodeBKey(bk)
  const pl = preflist(env.ring(), bk, n)
  return Promise.all(
    pl.map(async (e) => {
      try {
        const reply = (await env.transport.request(e.node, { op: 'vget', p: e.partition, k }, NET.requestTimeoutMs)) as { o?: Uint8Array | null }
        if (!reply.o) return { node: e.node, partition: e.partition, found: false }
        const obj = decodeObject(reply.o)
        return {
          node: e.node,
          partition: e.partition,
          found: true,
          clock: obj.clock.map((c) => [c.actor, c.counter]),
          siblings: obj.siblings.length,
          deleted: obj.siblings.every((s) => s.deleted),
        }
      } catch (err) {
        return { node: e.node, partition: e.partition, found: false, error: err instanceof SpineError ? err.code : String(err) }
      }
    }),
  )
}
