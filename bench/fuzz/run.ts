/**
 * The live fuzz run (issue 18, hostile input): hostile frames at a real node's client and cluster
 * ports, then health, restarts and stored objects checked (live.ts). Prints the counts; exits 1
 * when a node restarted, an object changed, a health check failed or a node logged an error.
 * Usage: node dist/bench/fuzz/run.js [--frames 1000000] [--connections 32] [--seed 1] [--objects 200]
 *        [--nodes 3] [--ring-size 64] [--keep] [--json]
 */
import { parseArgs } from 'node:util'
import { log } from '../localCluster.js'
import { runLiveFuzz } from './live.js'

const { values: args } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    connections: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    objects: { type: 'string', default: '200' },
    nodes: { type: 'string', default: '3' },
    'ring-size': { type: 'string', default: '64' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

function count(name: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}\n`)
    process.exit(2)
  }
  return n
}

const report = await runLiveFuzz({
  frames: count('frames', args.frames, 1, 1_000_000_000),
  connections: count('connections', args.connections, 1, 1_000),
  seed: count('seed', args.seed, 0, 2 ** 31),
  objects: count('objects', args.objects, 1, 100_000),
  nodes: count('nodes', args.nodes, 1, 9),
  ringSize: count('ring-size', args['ring-size'], 1, 4096),
  keep: args.keep,
  progress: log,
})

if (args.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
else {
  const rows: Array<[string, string | number]> = [
    ['seed', report.seed],
    ['frames sent', report.framesSent],
    ['  valid', report.byKind.valid],
    ['  body mutated', report.byKind.bodyMutated],
    ['  field replaced', report.byKind.fieldReplaced],
    ['  frame mutated', report.byKind.frameMutated],
    ['  random body', report.byKind.randomBody],
    ['  raw bytes', report.byKind.rawBytes],
    ['  oversized length', report.byKind.oversized],
    ['connections', report.connections],
    ['connections closed by the node', report.closedByNode],
    ['connections whose closing ping was answered', report.pingAnswered],
    ['connections left waiting for a frame', report.leftWaiting],
    ['connections neither answered nor closed', report.unanswered],
    ['connections refused', report.connectFailed],
    ['node restarts', report.nodeRestarts],
    ['objects checked', report.objects],
    ['objects changed', report.objectsChanged],
    ['health check failures', report.healthFailures.length === 0 ? 0 : report.healthFailures.join(', ')],
    ['node error log lines', report.nodeErrors === 0 ? 0 : `${report.nodeErrors}: ${report.nodeErrorSamples.join(' | ')}`],
    ['duration (s)', (report.durationMs / 1000).toFixed(1)],
  ]
  const w = Math.max(...rows.map(([k]) => k.length))
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`)
}
process.exit(report.nodeRestarts === 0 && report.objectsChanged === 0 && report.healthFailures.length === 0 && report.nodeErrors === 0 ? 0 : 1)
