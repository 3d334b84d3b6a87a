/**
 * The layer order of spinekv's code, written down once: a file may import its own layer and any
 * layer listed before it, never one after it, and never a different layer of the same rank. The
 * layers test (test/layers.test.ts) checks the real import graph against it; docs/architecture.md
 * shows the same order for readers.
 */

/** Lowest first. Layers in one inner array share a rank and may not import each other. */
export const LAYER_ORDER: readonly (readonly string[])[] = [
  ['src/shared', 'src/config.ts'], // errors, logging, every limit: usable from anywhere
  ['src/core'], // pure logic: ring, clocks, object merge, quorum arithmetic
  ['src/storage', 'src/net'], // the two kinds of I/O, neither knowing the other
  ['src/kv'], // get/put/delete FSMs over the core and a transport
  ['src/node'], // vnodes, membership, handoff, anti-entropy: the generic node
  ['src/patient'], // the patient application over the node's seams
  ['src/api'], // client port, HTTP, Riak PB
  ['src/client'], // the embeddable client library
  ['src/sim'], // the deterministic simulator
  ['src/cli'], // commands, and the composition of a real node process
  ['bench'], // capacity runs over everything
]

/** The layer a repository path belongs to, or undefined (tests, scripts). */
export function layerOf(path: string): string | undefined {
  for (const rank of LAYER_ORDER) {
    for (const layer of rank) if (path === layer || path.startsWith(`${layer}/`)) return layer
  }
  return undefined
}

function rankOf(layer: string): number {
  return LAYER_ORDER.findIndex((rank) => rank.includes(layer))
}

/** Every import edge "from -> to" that breaks the order, sorted. Unit tests (x.test.ts) are exempt. */
export function layerViolations(graph: Readonly<Record<string, readonly string[]>>): string[] {
  const out: string[] = []
  for (const [from, deps] of Object.entries(graph)) {
    const a = layerOf(from)
    if (a === undefined || from.endsWith('.test.ts')) continue
    for (const to of deps) {
      const b = layerOf(to)
      if (b === undefined || b === a) continue
      if (rankOf(b) >= rankOf(a)) out.push(`${from} -> ${to}`)
    }
  }
  return out.sort()
}
