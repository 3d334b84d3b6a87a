/**
 * Free loopback ports for throwaway dev clusters (tests, benchmarks): node i of a cluster at base
 * B listens on B+10i (cluster), +1 (client), +2 (HTTP), +3 (Protocol Buffers), as `spinekv dev start --base-port` does.
 */
import { createServer } from 'node:net'

function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer()
    s.once('error', () => res(false))
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)))
  })
}

/** A base port whose node ports (base+10i .. base+10i+3, i = 1..nodes) are all free right now. */
export async function freeBasePort(nodes: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768+), so no outgoing connection can take a port between
    // this check and the node binding it (20,000 + 11,900 + 10 × 17 nodes stays below it).
    const base = 20_000 + 100 * Math.floor(Math.random() * 120)
    const ports = Array.from({ length: nodes }, (_, k) => [0, 1, 2, 3].map((d) => base + 10 * (k + 1) + d)).flat()
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base
  }
  throw new Error('no free port range found')
}
