/**
 * A real node process: LevelDB on disk, the cluster port (TCP transport), the client port
 * (framed RPC) and the HTTP port (src/api/http: /ping, /stats, Riak's KV routes), around one SpineNode.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { clientHandler } from '../api/clientHandler.js'
import { createHttpApi } from '../api/http/server.js'
import { SpineError } from '../api/errors.js'
import { FAILURE, NET, RING } from '../config.js'
import { createRing } from '../core/ring.js'
import type { BucketPropsOverrides } from '../kv/bucketProps.js'
import { FrameServer } from '../net/server.js'
import { TcpTransport } from '../net/tcp.js'
import { LevelBackend } from '../storage/level.js'
import { MemoryBackend } from '../storage/memory.js'
import type { Logger } from './log.js'
import type { MemberAddress } from './members.js'
import type { NodeInfo } from './messages.js'
import { SpineNode } from './node.js'
import { SystemClock } from './realEnv.js'

export interface NodeProcessConfig {
  name: string
  host: string
  dataDir: string
  clusterPort: number
  clientPort: number
  httpPort: number
  members: MemberAddress[]
  q?: number
  /** The N the claim spreads replicas for (the largest bucket n in use). */
  targetN?: number
  bucketProps?: BucketPropsOverrides
  syncWrites?: boolean
  tombstoneReapDelayMs?: number
  /** "memory" keeps nothing across restarts: for benchmarks that separate storage cost from the rest. */
  backend?: 'level' | 'memory'
}

export interface RunningNode {
  node: SpineNode
  info: NodeInfo
  stop(): Promise<void>
}

export async function startNodeProcess(cfg: NodeProcessConfig, log: Logger): Promise<RunningNode> {
  if (!cfg.members.some((m) => m.name === cfg.name)) {
    throw new SpineError('INVALID_ARGUMENT', `node ${cfg.name} is not in its own member list`)
  }
  await mkdir(cfg.dataDir, { recursive: true })
  await claimDataDir(cfg.dataDir, cfg.name)
  const clock = new SystemClock()
  const backend = cfg.backend === 'memory' ? new MemoryBackend() : new LevelBackend(join(cfg.dataDir, 'leveldb'))
  await backend.open()
  const info: NodeInfo = { name: cfg.name, host: cfg.host, clusterPort: cfg.clusterPort, clientPort: cfg.clientPort, httpPort: cfg.httpPort }
  const peers = new Map(cfg.members.filter((m) => m.name !== cfg.name).map((m) => [m.name, { host: m.host, port: m.port }]))
  const transport = new TcpTransport({ self: cfg.name, host: cfg.host, port: cfg.clusterPort, peers, clock, log })
  const ring = createRing(cfg.members.map((m) => m.name), cfg.q ?? RING.defaultPartitions, cfg.targetN ?? 3)
  const node = new SpineNode({
    name: cfg.name,
    ring,
    transport,
    backend,
    clock,
    log,
    info: () => info,
    bucketProps: cfg.bucketProps,
    syncWrites: cfg.syncWrites,
    tombstoneReapDelayMs: cfg.tombstoneReapDelayMs,
    heartbeat: { intervalMs: FAILURE.heartbeatIntervalMs, timeoutMs: FAILURE.heartbeatTimeoutMs },
  })
  const members = memberDirectory(node, info, cfg.members)
  const handle = clientHandler({ env: node.env, members, transfers: () => node.handoff.transfers() })
  const client = new FrameServer({ host: cfg.host, port: cfg.clientPort, clock, log, handler: (_c, b) => handle(b), maxConnections: NET.maxClientConnections })
  const http = createHttpApi({
    env: node.env,
    stats: () => ({ node: node.name, ...node.env.stats, vnodes: node.vnodes.active().length, storage: node.vnodes.backend.stats?.() ?? {} }),
  })
  try {
    await transport.listen()
    await client.listen()
    await http.listen(cfg.host, cfg.httpPort)
  } catch (e) {
    await Promise.allSettled([transport.close(), client.close(), backend.close()])
    throw e
  }
  node.start()
  log.info({ ...info, partitions: ring.owners.filter((o) => o === cfg.name).length, q: ring.q }, 'node started')
  const stop = async (): Promise<void> => {
    node.stop()
    await Promise.allSettled([client.close(), http.close(), transport.close()])
    await backend.close()
    log.info({ node: cfg.name }, 'node stopped')
  }
  return { node, info, stop }
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
function memberDirectory(node: SpineNode, self: NodeInfo, members: MemberAddress[]) {
  const known = new Map<string, NodeInfo>([[self.name, self]])
  const infoOf = async (m: MemberAddress): Promise<NodeInfo> => {
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
  return async (): Promise<Array<NodeInfo & { up: boolean }>> =>
    Promise.all(members.map(async (m) => ({ ...(await infoOf(m)), up: node.detector.isUp(m.name) })))
}
