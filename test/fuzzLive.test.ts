/**
 * The live fuzz run, CI-short (issue 18, hostile input): 20,000 random and mutated frames at a
 * real 3-node cluster's n1 client and cluster ports (bench/fuzz/live.ts); afterwards no node has
 * restarted, every node answers its health checks, and every known object reads back from every
 * node byte-identical. The full run is `node dist/bench/fuzz/run.js --frames 1000000`.
 */
import t from 'tap'
import { runLiveFuzz } from '../bench/fuzz/live.js'
import { CLI } from './harness/devCluster.js'

t.test('20,000 hostile frames: no restart, no object changed, every node healthy', async (t) => {
  const r = await runLiveFuzz({ frames: 20_000, connections: 32, seed: 18, objects: 50, nodes: 3, ringSize: 16, cliPath: CLI })
  t.comment(`frames ${r.framesSent}, connections ${r.connections}, closed by the node ${r.closedByNode}, ping answered ${r.pingAnswered}, left waiting ${r.leftWaiting}, unanswered ${r.unanswered}, refused ${r.connectFailed}, ${Math.round(r.durationMs / 1000)} s`)
  t.equal(r.nodeRestarts, 0, 'no node restarted')
  t.equal(r.objectsChanged, 0, 'every object read back byte-identical from every node')
  t.same(r.healthFailures, [], 'every node answers ping on its client, cluster and HTTP ports')
  t.equal(r.nodeErrors, 0, `no node logged an error (an untyped fault): ${r.nodeErrorSamples.join(' | ')}`)
  t.equal(r.unanswered, 0, 'every connection was answered or closed by the node, or (a cut-off frame) left waiting')
  t.equal(r.connectFailed, 0, 'no connection was refused')
  t.equal(r.framesSent, 20_000, 'every frame was sent')
  t.ok(r.closedByNode > 0 && r.pingAnswered > 0, 'some connections were closed for a fault, others kept')
})
