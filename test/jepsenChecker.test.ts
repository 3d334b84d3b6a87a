/**
 * The fault run's checker (bench/faults/checker.ts) on hand-built histories: it must catch a
 * planted lost write and a planted stale read, find the unavailability windows and the recovery
 * after each heal, and refuse to call a history valid when a set could not be read at the end.
 * Also the parts around it: the compact set encoding, the seeded fault plan and the chart.
 */
import t from 'tap'
import { check, type CheckInput } from '../bench/faults/checker.js'
import { availabilitySvg, buckets } from '../bench/faults/chart.js'
import { decodeSet, element, encodeSet, parseSetValue } from '../bench/faults/elements.js'
import type { FaultRecord, Op } from '../bench/faults/history.js'
import { FAULT_KINDS, planFaults } from '../bench/faults/schedule.js'

const T0 = 1_000_000
let n = 0

function add(key: string, value: string, invoke: number, complete: number, result: Op['result'] = 'ok', node = 'n1'): Op {
  return { id: `a${n++}`, client: 0, node, type: 'add', key, value, invoke: T0 + invoke, complete: T0 + complete, result }
}
function read(key: string, seen: string[], invoke: number, complete: number, node = 'n1'): Op {
  return { id: `r${n++}`, client: 1, node, type: 'read', key, invoke: T0 + invoke, complete: T0 + complete, result: 'ok', elements: encodeSet(seen) }
}
function final(key: string, seen: string[], node = 'n1', result: Op['result'] = 'ok'): Op {
  return { id: `f${n++}`, client: -1, node, type: 'final', key, invoke: T0 + 9_000, complete: T0 + 9_001, result, ...(result === 'ok' ? { elements: encodeSet(seen) } : {}) }
}
function input(ops: Op[], over: Partial<CheckInput> = {}): CheckInput {
  return { ops, faults: [], start: T0, end: T0 + 10_000, nodes: ['n1', 'n2'], keys: ['s'], gapMs: 1_000, ...over }
}

t.test('a clean history is valid: every acknowledged add is in the final set', async (t) => {
  const ops = [add('s', '0:0', 0, 10), add('s', '0:1', 20, 30), read('s', ['0:0', '0:1'], 40, 50), final('s', ['0:0', '0:1']), final('s', ['0:0', '0:1'], 'n2')]
  const v = check(input(ops))
  t.equal(v.valid, true)
  t.equal(v.lost.count, 0)
  t.equal(v.acknowledgedAdds, 2)
  t.equal(v.stale.count, 0)
  t.equal(v.finalConverged, true)
  t.same(v.ops.byType.add, { ok: 2, fail: 0, timeout: 0 })
})

t.test('a planted lost write is caught, and only the acknowledged one counts', async (t) => {
  const ops = [
    add('s', '0:0', 0, 10),
    add('s', '0:1', 20, 30, 'ok', 'n2'), // acknowledged, then missing at the end: lost
    add('s', '0:2', 40, 50, 'timeout'), // not acknowledged: missing is allowed
    add('s', '0:3', 60, 70, 'fail'), // failed but landed anyway: allowed, counted
    final('s', ['0:0', '0:3']),
  ]
  const v = check(input(ops))
  t.equal(v.valid, false)
  t.equal(v.lost.count, 1)
  t.same(v.lost.samples, [{ key: 's', value: '0:1', node: 'n2', acknowledgedAt: T0 + 30 }])
  t.equal(v.unacknowledgedPresent, 1)
  t.equal(v.unacknowledgedAbsent, 1)
})

t.test('an element seen by any node at the end is not lost (the final sets are a union); diverging nodes show as not converged', async (t) => {
  const v = check(input([add('s', '0:0', 0, 10), final('s', []), final('s', ['0:0'], 'n2')]))
  t.equal(v.lost.count, 0)
  t.equal(v.finalConverged, false)
})

t.test('a set with no successful final read is unchecked, and the run is not valid', async (t) => {
  const v = check(input([add('s', '0:0', 0, 10), final('s', [], 'n1', 'timeout')], { keys: ['s'] }))
  t.same(v.keysUnchecked, ['s'])
  t.equal(v.lost.count, 0, 'not reported as lost: unknown')
  t.equal(v.valid, false)
})

t.test('a planted stale read: it misses an add acknowledged before it began', async (t) => {
  const faults: FaultRecord[] = [{ kind: 'split', what: 'split n1 / n2,n3', nodes: ['n1', 'n2', 'n3'], start: T0 + 15, end: T0 + 500 }]
  const ops = [
    add('s', '0:0', 0, 10),
    read('s', [], 5, 8), // began before the add was acknowledged: not stale
    add('s', '0:1', 20, 100), // still in flight when the next read begins
    read('s', ['0:0'], 50, 60), // sees 0:0, misses 0:1 (not yet acknowledged): not stale
    read('s', ['0:1'], 200, 210, 'n2'), // misses 0:0, acknowledged at +10: stale
    final('s', ['0:0', '0:1']),
  ]
  const v = check(input(ops, { faults }))
  t.equal(v.stale.count, 1)
  t.equal(v.stale.ofReads, 3)
  t.equal(v.stale.missingElements, 1)
  t.match(v.stale.samples[0], { key: 's', node: 'n2', missing: 1, example: '0:0', during: 'split n1 / n2,n3' })
  t.equal(v.valid, true, 'a stale read is allowed (sloppy quorum); a lost write is not')
})

t.test('unavailability windows: spans with no successful operation, with the faults in force', async (t) => {
  const faults: FaultRecord[] = [{ kind: 'kill', what: 'kill -9 n2', nodes: ['n2'], start: T0 + 2_000, end: T0 + 6_000 }]
  const ops = [
    add('s', '0:0', 0, 500),
    add('s', '0:1', 600, 900),
    read('s', ['0:0'], 1_000, 4_000, 'n2'), // ok, after a 3.1 s gap
    add('s', '0:2', 4_100, 4_200, 'fail', 'n2'),
    add('s', '0:3', 6_000, 6_500, 'ok', 'n2'), // 2.5 s gap
    ...Array.from({ length: 35 }, (_, i) => add('s', `1:${i}`, 6_500 + i * 100, 6_550 + i * 100)),
    final('s', ['0:0', '0:1', '0:3', ...Array.from({ length: 35 }, (_, i) => `1:${i}`)]),
  ]
  const v = check(input(ops, { faults }))
  t.same(v.unavailability.windows.map((w) => [w.start - T0, w.ms, w.during]), [
    [900, 3_100, ['kill -9 n2']],
    [4_000, 2_500, ['kill -9 n2']],
  ])
  t.equal(v.unavailability.longestMs, 3_100)
  t.equal(v.unavailability.totalMs, 5_600)
  t.equal(v.perNodeLongestGapMs['n2'], 4_000, 'n2: from the start to its first success at +4.0 s')
})

t.test('recovery: from each heal to the first success sent after it, on every node', async (t) => {
  const faults: FaultRecord[] = [
    { kind: 'partition', what: 'isolate n2', nodes: ['n2'], start: T0 + 1_000, end: T0 + 3_000 },
    { kind: 'cut', what: 'cut n1<->n2', nodes: ['n1', 'n2'], start: T0 + 6_000, end: T0 + 7_000 },
  ]
  const ops = [
    add('s', '0:0', 2_900, 3_200, 'ok', 'n1'), // sent before the heal: does not count
    add('s', '0:1', 3_100, 3_300, 'ok', 'n1'), // n1 back 300 ms after the heal
    add('s', '0:2', 3_500, 4_000, 'ok', 'n2'), // n2 back 1 s after it
    add('s', '0:3', 7_100, 7_200, 'ok', 'n1'), // after the second heal only n1 succeeds
    final('s', ['0:0', '0:1', '0:2', '0:3']),
  ]
  const v = check(input(ops, { faults }))
  t.same(v.recoveries.map((r) => [r.fault, r.perNode, r.firstAnyMs, r.allNodesMs]), [
    ['isolate n2', { n1: 300, n2: 1_000 }, 300, 1_000],
    ['cut n1<->n2', { n1: 200, n2: null }, 200, null],
  ])
  t.same(v.faultsByKind, { kill: 0, partition: 1, split: 0, cut: 1, loss: 0 })
})

t.test('the compact set encoding round-trips, ranges and strays alike', async (t) => {
  const set = ['3:0', '3:1', '3:2', '3:5', '10:7', '10:8', 'stray', element(0, 0)]
  const enc = encodeSet(set)
  t.same(enc, { ranges: { '0': '0', '3': '0-2,5', '10': '7-8' }, other: ['stray'] })
  t.same([...decodeSet(enc)].sort(), [...set].sort())
  t.same([...decodeSet(undefined)], [])
  t.same(parseSetValue(Buffer.from('["a","b",3]')), ['a', 'b'])
  t.same(parseSetValue(Buffer.from('not json')), [])
})

t.test('the fault plan: seeded, inside the run, one fault at a time, every kind from the bag', async (t) => {
  const o = { seed: 7, durationMs: 600_000, nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], kinds: [...FAULT_KINDS], quietMs: [5_000, 10_000] as const, faultMs: [8_000, 20_000] as const, lossPercent: 60 }
  const plan = planFaults(o)
  t.same(planFaults(o), plan, 'same seed, same plan')
  t.not(JSON.stringify(planFaults({ ...o, seed: 8 })), JSON.stringify(plan), 'another seed, another plan')
  t.ok(plan.length >= 20, `${plan.length} faults in 10 minutes`)
  for (const k of FAULT_KINDS) t.ok(plan.filter((f) => f.kind === k).length >= 4, `${k} comes up`)
  const outside = plan.filter((f) => f.atMs + f.forMs > o.durationMs || f.forMs < 8_000 || f.forMs > 20_000)
  t.same(outside, [], 'every fault inside the run, of a length in bounds')
  const crowded = plan.filter((f, i) => i > 0 && f.atMs - (plan[i - 1]!.atMs + plan[i - 1]!.forMs) < 5_000)
  t.same(crowded, [], 'at least the quiet time between faults')
  const split = plan.find((f) => f.kind === 'split')!
  t.equal(split.inject[0], 'split')
  t.equal(split.inject[1]!.split(',').length, 2, 'the minority of 5 is 2')
  t.equal(split.inject[2]!.split(',').length, 3)
  t.same(planFaults({ ...o, kinds: ['kill'] }).map((f) => f.kind).filter((k) => k !== 'kill'), [], 'only the kinds asked for')
})

t.test('the availability chart: bars per second and fault spans, as standalone SVG', async (t) => {
  const ops = [add('s', '0:0', 100, 200), add('s', '0:1', 1_100, 1_200, 'fail'), add('s', '0:2', 1_300, 1_400, 'timeout'), read('s', [], 2_100, 2_200)]
  t.same(buckets(ops, T0, T0 + 3_000, 1_000), [{ ok: 1, fail: 0, timeout: 0 }, { ok: 0, fail: 1, timeout: 1 }, { ok: 1, fail: 0, timeout: 0 }])
  const faults: FaultRecord[] = [{ kind: 'loss', what: 'loss 60% n1->n2 <&>', nodes: ['n1', 'n2'], start: T0 + 1_000, end: T0 + 2_000 }]
  const svg = availabilitySvg({ ops, faults, windows: [], start: T0, end: T0 + 3_000, bucketMs: 1_000, title: 'test' })
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
  t.match(svg, /<\/svg>\n$/)
  t.match(svg, '<title>loss 60% n1-&gt;n2 &lt;&amp;&gt;</title>', 'fault spans carry their description, escaped')
  t.equal((svg.match(/fill="#2ca02c"\/>/g) ?? []).length, 2, 'two ok bars')
})
