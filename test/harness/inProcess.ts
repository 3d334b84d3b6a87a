/**
 * Several SpineNodes in one process over real TCP transports on loopback and memory backends:
 * fast tests of coordinator paths a 3-node, N=3 cluster never takes.
 */
import { createRing } from '../../src/core/ring.js'
import type { BucketPropsOverrides } from '../../src/kv/bucketProps.js'
import { TcpTransport } from '../../src/net/tcp.js'
import { silentLogger } from '../../src/node/log.js'
import { SpineNode } from '../../src/node/node.js'
import { SystemClock } from '../../src/node/realEnv.js'
import { MemoryBackend } from '../../src/storage/memory.js'

export interface InProcessCluster {
  nodes: SpineNode[]
  transports: TcpTransport[]
  stop(): Promise<void>
}

export async function inProcessCluster(count: number, bucketProps: BucketPropsOverrides = {}, q = 16, reapDelayMs = 200): Promise<InProcessCluster> {
  const clock = new SystemClock()
  const log = silentLogger()
  const names = Array.from({ length: count }, (_, i) => `n${i + 1}`)
  const transports = names.map((self) => new TcpTransport({ self, host: '127.0.0.1', port: 0, clock, log }))
  await Promise.all(transports.map((t) => t.listen()))
  for (const t of transports) for (const [i, other] of transports.entries()) if (other !== t) t.setPeer(names[i]!, { host: '127.0.0.1', port: other.port })
  const ring = createRing(names, q, 3)
  const nodes = names.map(
    (name, i) =>
      new SpineNode({
        name,
        ring,
        transport: transports[i]!,
        backend: new MemoryBackend(),
        clock,
        log,
        bucketProps,
        tombstoneReapDelayMs: reapDelayMs,
        info: () => ({ name, host: '127.0.0.1', clusterPort: transports[i]!.port, clientPort: 0, httpPort: 0 }),
      }),
  )
  await Promise.all(nodes.map((n) => n.vnodes.backend.open()))
  return {
    nodes,
    transports,
    async stop() {
      await Promise.all(transports.map((t) => t.close()))
      await Promise.all(nodes.map((n) => n.vnodes.backend.close()))
    },
  }
}
