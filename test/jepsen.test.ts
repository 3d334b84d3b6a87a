/**
 * The fault run, short (about a minute): 3 nodes in network namespaces, 3 clients adding to 4
 * sets, while the nemesis kills one node with SIGKILL and restarts it, isolates one, splits the
 * cluster 1 / 2 and drops 60% of one direction of one link. The checker must find no
 * acknowledged add lost, every set readable and converged at the end, and the cluster recovered
 * after the last heal; planting a lost write in the real history must be caught.
 * Needs root, `ip netns`, veth, a bridge and iptables (as test/netns.test.ts); otherwise it
 * skips and says why.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { check } from '../bench/faults/checker.js'
import { decodeSet, encodeSet } from '../bench/faults/elements.js'
import { readJsonLines, type Op } from '../bench/faults/history.js'
import { cannotRun, runJepsen } from '../bench/faults/jepsen.js'
import { Netns } from '../bench/faults/netns.js'
import { defaultOptions } from '../bench/faults/options.js'
import { JEPSEN } from '../src/config.js'

// A prefix of its own: an operator's cluster (skv), a full run (skvj) and the netns test are left alone.
const prefix = `skvjt${process.pid % 1000}`
const reason = await cannotRun(new Netns(prefix))

if (reason !== undefined) {
  process.stderr.write(`jepsen test skipped: ${reason}\n`)
  t.comment(`jepsen fault-run test skipped: ${reason}`)
  t.test('jepsen fault run', { skip: `needs root and network namespaces: ${reason}` }, async () => {})
} else {
  const dir = mkdtempSync(join(tmpdir(), 'spinekv-jepsen-'))
  t.teardown(() => {
    new Netns(prefix).downSync()
    rmSync(dir, { recursive: true, force: true })
  })

  t.test('kill -9, isolate, split and one-way loss under a set-add workload: no acknowledged add lost', async (t) => {
    // Seed 9 plans, in 40 s: kill -9, isolate, split 1 / 2, one-way loss (bench/faults/schedule.ts).
    const o = defaultOptions({ nodes: 3, clients: 3, keys: 4, durationMs: 40_000, settleMs: 8_000, seed: 9, quietMs: [3_000, 4_000], faultMs: [5_000, 7_000], out: dir, prefix, command: 'test/jepsen.test.ts' })
    const outcome = await runJepsen(o, (l) => t.comment(l))
    if ('skipped' in outcome) throw new Error(`skipped after the check passed: ${outcome.skipped}`)
    const v = outcome.verdict
    t.same(v.faultsByKind, { kill: 1, partition: 1, split: 1, cut: 0, loss: 1 }, 'each planned fault was injected and healed')
    t.ok(v.acknowledgedAdds >= 100, `${v.acknowledgedAdds} acknowledged adds`)
    t.equal(v.lost.count, 0, `no acknowledged add lost: ${JSON.stringify(v.lost.samples)}`)
    t.same(v.keysUnchecked, [], 'every set was read at the end')
    t.equal(v.valid, true)
    t.equal(v.finalConverged, true, 'every node reads the same sets at the end')
    const last = v.recoveries.at(-1)
    t.ok(last?.allNodesMs !== null && last?.allNodesMs !== undefined, `every node served a request after the last heal (${JSON.stringify(last?.perNode)})`)
    t.ok(v.ops.byType.add.fail + v.ops.byType.add.timeout + v.ops.byType.read.fail + v.ops.byType.read.timeout > 0, 'the faults were felt: some operations failed')
    for (const f of ['history.jsonl', 'faults.jsonl', 'report.json', 'report.md', 'availability.svg', 'run.json', 'cluster/n1.log']) t.ok(existsSync(join(dir, f)), f)
    t.notOk(existsSync(join(dir, 'cluster/n1/')), 'node data removed, logs kept')
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(`${prefix}-`))
    t.same(left, [], 'the run removed its namespaces')
    for (const line of outcome.faults) t.comment(`${line.what}: ${((line.end - line.start) / 1000).toFixed(1)} s`)
    t.comment(JSON.stringify({ stale: v.stale.count, longestUnavailableMs: v.unavailability.longestMs, recoveries: v.recoveries.map((r) => r.allNodesMs) }))

    // The same history with one acknowledged add taken out of every final read: exactly that one is lost.
    const ops = readJsonLines<Op>(join(dir, 'history.jsonl'))
    const victim = ops.find((x) => x.type === 'add' && x.result === 'ok')!
    const planted = ops.map((x) => {
      if (x.type !== 'final' || x.key !== victim.key || !x.elements) return x
      const seen = decodeSet(x.elements)
      seen.delete(victim.value!)
      return { ...x, elements: encodeSet(seen) }
    })
    const pv = check({ ops: planted, faults: outcome.faults, start: outcome.run.start, end: outcome.run.end, nodes: outcome.run.nodes, keys: outcome.run.keys, gapMs: JEPSEN.unavailableGapMs })
    t.equal(pv.lost.count, 1, 'the planted lost write is caught')
    t.equal(pv.lost.samples[0]?.value, victim.value)
    t.equal(pv.valid, false)
  })
}
