/**
 * A real node process: LevelDB on disk, the cluster port (TCP transport), the client port
 * (framed RPC), the HTTP port (src/api/http: /ping, /stats, Riak's KV routes) and Riak's Protocol
 * Buffers port (src/api/pb), around one SpineNode.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientHandler } from '../api/clientHandler.js'
import { createHttpApi } from '../api/http/server.js'
import { SpineError } from '../shared/errors.js'
import { FAILURE, MEMBERSHIP, NET, PB, RING } from '../config.js'
import { PbServer } from '../api/pb/server.js'
import { SERVER_VERSION } from '../api/pb/version.js'
import { parseClusterRing, singleNodeRing, staticRing, toRing, type ClusterRing, type Member, type MemberStatus } from '../core/clusterRing.js'
import { membershipOps } from '../node/membershipOps.js'
import type { BucketPropsOverrides } from '../kv/bucketProps.js'
import { FrameServer } from '../net/server.js'
import { TcpTransport } from '../net/tcp.js'
import { LevelBackend } from '../storage/level.js'
import { MemoryBackend } from '../storage/memory.js'
import type { Logger } from '../shared/log.js'
import type { MemberAddress } from '../node/members.js'
import type { NodeInfo } from '../node/messages.js'
import { SpineNode, type AaeSettings } from '../node/node.js'
import { SystemClock } from '../node/realEnv.js'

export interface NodeProcessConfig {
  name: string
  host: string
  dataDir: string
  clusterPort: number
  clientPort: number
  httpPort: number
  /** Riak's Protocol Buffers port (PB.defaultPort, 8087, when not given). */
  pbPort?: number
  members: MemberAddress[]
  q?: number
  /** The N the claim spreads replicas for (the largest bucket n in use). */
  targetN?: number
  bucketProps?: BucketPropsOverrides
  syncWrites?: boolean
  tombstoneReapDelayMs?: number
  /** "memory" keeps nothing across restarts: for benchmarks that separate storage cost from the rest. */
  backend?: 'level' | 'memory'
  /** Anti-entropy overrides (`--aae on|off`, `--aae-tick-ms`). */
  aae?: Partial<AaeSettings>
}

export interface RunningNode {
  node: SpineNode
  info: NodeInfo
  stop(): Promise<void>
  /** Resolves when the node has left the cluster (it handed everything off) and should exit. */
  exited: Promise<void>
}

export async function startNodeProcess(cfg: NodeProcessConfig, log: Logger): Promise<RunningNode> {
  if (cfg.members.length > 0 && !cfg.members.some((m) => m.name === cfg.name)) {
    throw new SpineError('INVALID_ARGUMENT', `node ${cfg.name} is not in its own member list`)
  }
  await mkdir(cfg.dataDir, { recursive: true })
  await claimDataDir(cfg.dataDir, cfg.name)
  const clock = new SystemClock()
  const backend = cfg.backend === 'memory' ? new MemoryBackend() : new LevelBackend(join(cfg.dataDir, 'leveldb'))
  await backend.open()
  const info: NodeInfo = { name: cfg.name, host: cfg.host, clusterPort: cfg.clusterPort, clientPort: cfg.clientPort, httpPort: cfg.httpPort }
  const self = { name: cfg.name, host: cfg.host, port: cfg.clusterPort }
  const initial = await initialRing(cfg, self, log)
  const ringFile = join(cfg.dataDir, RING_FILE)
  // Written at once, so the ring this node started with is the one a restart finds.
  await saveRing(ringFile, initial)
  const transport = new TcpTransport({ self: cfg.name, host: cfg.host, port: cfg.clusterPort, peers: peersOf(initial, cfg.name), clock, log })
  const node = new SpineNode({
    name: cfg.name,
    ring: toRing(initial),
    transport,
    backend,
    clock,
    log,
    info: () => info,
    bucketProps: cfg.bucketProps,
    syncWrites: cfg.syncWrites,
    tombstoneReapDelayMs: cfg.tombstoneReapDelayMs,
    aae: cfg.aae,
    heartbeat: { intervalMs: FAILURE.heartbeatIntervalMs, timeoutMs: FAILURE.heartbeatTimeoutMs },
    membership: {
      ring: initial,
      persist: (cr) => saveRing(ringFile, cr),
      onChange: (cr) => syncPeers(transport, cr, cfg.name),
    },
  })
  const members = memberDirectory(node, info)
  const handle = clientHandler({ env: node.env, patients: node.patients, members, transfers: () => node.handoff.transfers(), membership: membershipOps(node, transport, self, backend) })
  const client = new FrameServer({ host: cfg.host, port: cfg.clientPort, clock, log, handler: (_c, b) => handle(b), maxConnections: NET.maxClientConnections })
  const http = createHttpApi({
    env: node.env,
    patients: node.patients,
    stats: () => ({ node: node.name, ...node.env.stats, vnodes: node.vnodes.active().length, storage: node.vnodes.backend.stats?.() ?? {} }),
  })
  const pb = new PbServer({ env: node.env, serverVersion: SERVER_VERSION, host: cfg.host, port: cfg.pbPort ?? PB.defaultPort, log })
  try {
    await transport.listen()
    await client.listen()
    await http.listen(cfg.host, cfg.httpPort)
    await pb.listen()
  } catch (e) {
    await Promise.allSettled([transport.close(), client.close(), http.close(), pb.close(), backend.close()])
    throw e
  }
  node.start()
  log.info({ ...info, pbPort: pb.port, partitions: toRing(initial).owners.filter((o) => o === cfg.name).length, q: initial.q, members: initial.members.length }, 'node started')
  const stop = async (): Promise<void> => {
    node.stop()
    await Promise.allSettled([client.close(), http.close(), pb.close(), transport.close()])
    // Last, once nothing writes: a clean save spares the next start the trees' rebuild.
    const saved = await node.saveTrees().catch((e: unknown) => (log.warn({ err: String(e) }, 'anti-entropy trees not saved'), 0))
    log.info({ vnodes: saved }, 'anti-entropy trees saved')
    await backend.close()
    log.info({ node: cfg.name }, 'node stopped')
  }
  return { node, info, stop, exited: node.exited }
}

const RING_FILE = 'ring.json'

/**
 * A saved ring wins (a restart keeps what gossip taught the node); otherwise the static
 * `--members` list, or a cluster of one that waits to be joined.
 */
async function initialRing(cfg: NodeProcessConfig, self: Omit<Member, 'status'>, log: Logger): Promise<ClusterRing> {
  const q = cfg.q ?? RING.defaultPartitions
  const n = cfg.targetN ?? 3
  const saved = await readFile(join(cfg.dataDir, RING_FILE), 'utf8').then(
    (text) => parseClusterRing(JSON.parse(text), MEMBERSHIP.maxMembers),
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined
      throw new SpineError('INVALID_ARGUMENT', `${RING_FILE} in ${cfg.dataDir} is unreadable: ${e.message}`)
    },
  )
  if (saved) {
    if (cfg.members.length > 0) log.info({ version: saved.version }, 'using the saved ring; --members applies only to a new data directory')
    return saved
  }
  if (cfg.members.length > 0) return staticRing(cfg.members.map((m) => ({ name: m.name, host: m.host, port: m.port })), q, n)
  return singleNodeRing(self, q, n)
}

/** Written to a temporary file and renamed over the old one, so a crash leaves one whole ring. */
async function saveRing(file: string, cr: ClusterRing): Promise<void> {
  const tmp = `${file}.tmp`
  await writeFile(tmp, JSON.stringify(cr) + '\n')
  await rename(tmp, file)
}

function peersOf(cr: ClusterRing, self: string): Map<string, { host: string; port: number }> {
  return new Map(cr.members.filter((m) => m.name !== self).map((m) => [m.name, { host: m.host, port: m.port }]))
}

function syncPeers(transport: TcpTransport, cr: ClusterRing, self: string): void {
  const peers = peersOf(cr, self)
  for (const [name, addr] of peers) transport.setPeer(name, addr)
  for (const name of transport.peerNames()) if (!peers.has(name)) transport.removePeer(name)
}

/** A data directory belongs to one node name; starting another name on it would mix actors. */
async function claimDataDir(dir: string, name: string): Promise<void> {
  const file = join(dir, 'node.json')
  const existing = await readFile(file, 'utf8').then(
    (s) => JSON.parse(s) as { name?: string },
    () => undefined,
  )
  if (existing && existing.name !== name) {
    throw new SpineError('INVALID_ARGUMENT', `data directory ${dir} belongs to node ${existing.name}, not ${name}`)
  }
  if (!existing) await writeFile(file, JSON.stringify({ name, created: new Date().toISOString() }) + '\n')
}

/**
 * Client addresses of every member, learned by asking each once and then cached; "up" is the
 * failure detector's view, so answering a client's ring request costs no round trips.
 */
function memberDirectory(node: SpineNode, self: NodeInfo) {
  const known = new Map<string, NodeInfo>([[self.name, self]])
  const infoOf = async (m: Member): Promise<NodeInfo> => {
    const cached = known.get(m.name)
    if (cached) return cached
    try {
      const info = (await node.env.transport.request(m.name, { op: 'info' }, NET.memberInfoTimeoutMs)) as NodeInfo
      known.set(m.name, info)
      return info
    } catch {
      return { name: m.name, host: m.host, clusterPort: m.port, clientPort: 0, httpPort: 0 }
    }
  }
  return async (): Promise<Array<NodeInfo & { up: boolean; status: MemberStatus }>> => {
    const members = node.ringManager?.current.members ?? []
    return Promise.all(members.map(async (m) => ({ ...(await infoOf(m)), up: node.detector.isUp(m.name), status: m.status })))
  }
}
