// The layer rules hold over the real import graph: no cycles, no upward imports beyond the named
// few that issue 14 is still taking out. A new upward import fails here; so does removing one of the
// named few without taking it off the list, so the list only shrinks.
import t from 'tap'
import madge from 'madge'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { LAYER_ORDER, layerOf, layerViolations } from './harness/layerRules.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Upward imports that exist today, each to be removed by moving code to the layer it belongs in. */
const KNOWN_UPWARD: readonly string[] = [
  // The bench command runs the harness in bench/: the harness belongs below the CLI (src/bench/).
  'src/cli/benchCommand.ts -> bench/harness/config.ts',
  'src/cli/benchCommand.ts -> bench/harness/kvStore.ts',
  'src/cli/benchCommand.ts -> bench/harness/report.ts',
  'src/cli/benchCommand.ts -> bench/harness/runner.ts',
  'src/cli/benchCommand.ts -> bench/harness/summary.ts',
  // The generic node still builds the patient index hook, store and local search itself: these go
  // when the composition root (src/cli/nodeProcess.ts) plugs the patient service into the node.
  'src/node/clusterHandler.ts -> src/patient/localSearch.ts',
  'src/node/node.ts -> src/patient/localSearch.ts',
  'src/node/node.ts -> src/patient/patientStore.ts',
  'src/node/node.ts -> src/patient/storeIndex.ts',
]

// Built once (about a second): every check below reads the same graph.
const madged = await madge(['src', 'bench'], { baseDir: root, fileExtensions: ['ts'], tsConfig: join(root, 'tsconfig.json') })
const graph: Record<string, string[]> = madged.obj()

t.test('every source file belongs to a layer', async (t) => {
  const files = Object.keys(graph).filter((f) => /^(src|bench)\//.test(f) && !f.endsWith('.test.ts'))
  t.ok(files.length > 200, `the graph holds the sources (${files.length} files)`)
  t.same(files.filter((f) => layerOf(f) === undefined), [])
})

t.test('no import cycles', async (t) => {
  t.same(madged.circular(), [])
})

t.test('no upward imports but the named few', async (t) => {
  t.same(layerViolations(graph), [...KNOWN_UPWARD].sort())
})

t.test('a planted upward import is caught', async (t) => {
  const ring = graph['src/core/ring.ts']
  t.ok(ring, 'src/core/ring.ts is in the graph')
  const planted = { ...graph, 'src/core/ring.ts': [...(ring ?? []), 'src/node/node.ts'] }
  t.ok(layerViolations(planted).includes('src/core/ring.ts -> src/node/node.ts'))
  const sideways = { ...graph, 'src/storage/level.ts': [...(graph['src/storage/level.ts'] ?? []), 'src/net/tcp.ts'] }
  t.ok(layerViolations(sideways).includes('src/storage/level.ts -> src/net/tcp.ts'), 'same rank, other layer')
  t.equal(LAYER_ORDER.flat().filter((l) => l === 'src/node').length, 1, 'each layer is named once')
})
