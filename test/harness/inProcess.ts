/**
 * Several SpineNodes in one process over real TCP transports on loopback and memory backends:
 * fast tests of coordinator paths a 3-node, N=3 cluster never takes.
 */
import { createRing } from '../../src/core/ring.js'
import type { BucketPropsOverrides } from '../../src/kv/bucketProps.js'
import { TcpTransport } from '../../src/net/tcp.js'
import { silentLogger } from '../../src/shared/log.js'
import { SpineNode, type SpineNodeDeps } from '../../src/node/node.js'
import { SystemClock } from '../../src/node/realEnv.js'
import { MemoryBackend } from '../../src/storage/memory.js'

export interface InProcessCluster {
  nodes: SpineNode[]
  transports: TcpTransport[]
  /** Close node i's transport and stop its timers: to its peers it is gone (its data stays). */
  down(i: number): Promise<void>
  /** Bring node i back on its old port and data, as a restarted process would. */
  up(i: number): Promise<void>
  stop(): Promise<void>
}

/** Failure detection and handoff settings for the nodes (none: no heartbeats, as before issue 4). */
export type NodeOptions = Partial<Pick<SpineNodeDeps, 'heartbeat' | 'downAfterMs' | 'handoff' | 'aae'>> & { start?: boolean }

export async function inProcessCluster(count: number, bucketProps: BucketPropsOverrides = {}, q = 16, reapDelayMs = 200, nodeOpts: NodeOptions = {}): Promise<InProcessCluster> {
  const clock = new SystemClock()
  const log = silentLogger()
  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`)
  const transports = names.map((self) => new TcpTransport({ self, host: '127.0.0.1', port: 0, clock, log }))
  await Promise.all(transports.map((t) => t.listen()))
  const ports = transports.map((t) => t.port)
  const peer = (t: TcpTransport): void => names.forEach((other, i) => other !== t.self && t.setPeer(other, { host: '127.0.0.1', port: ports[i]! }))
  transports.forEach(peer)
  const ring = createRing(names, q, 3)
  const node = (i: number, backend: MemoryBackend): SpineNode => {
    const name = names[i]!
    return new SpineNode({
      name,
      ring,
      transport: transports[i]!,
      backend,
      clock,
      log,
      bucketProps,
      tombstoneReapDelayMs: reapDelayMs,
      info: () => ({ name, host: '127.0.0.1', clusterPort: ports[i]!, clientPort: 0, httpPort: 0 }),
      heartbeat: nodeOpts.heartbeat,
      downAfterMs: nodeOpts.downAfterMs,
      handoff: nodeOpts.handoff,
      aae: nodeOpts.aae,
    })
  }
  const nodes = names.map((_, i) => node(i, new MemoryBackend()))
  await Promise.all(nodes.map((n) => n.vnodes.backend.open()))
  if (nodeOpts.heartbeat || nodeOpts.start) nodes.forEach((n) => n.start())
  return {
    nodes,
    transports,
    async down(i) {
      nodes[i]!.stop()
      await transports[i]!.close()
    },
    async up(i) {
      const t = new TcpTransport({ self: names[i]!, host: '127.0.0.1', port: ports[i]!, clock, log })
      await t.listen()
      peer(t)
      transports[i] = t
      nodes[i] = node(i, nodes[i]!.vnodes.backend as MemoryBackend)
      if (nodeOpts.heartbeat || nodeOpts.start) nodes[i]!.start()
    },
    async stop() {
      nodes.forEach((n) => n.stop())
      await Promise.all(transports.map((t) => t.close()))
      await Promise.all(nodes.map((n) => n.vnodes.backend.close()))
    },
  }
}
