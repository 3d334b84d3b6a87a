import t from 'tap'
import type { PrefEntry } from '../core/ring.js'
import { firstWave } from './readWave.js'

const pl = (partition: number, nodes: string[], fallbacks = 0): PrefEntry[] =>
  nodes.map((node, i) => ({ partition: partition + i, node, primary: i < nodes.length - fallbacks }))

t.test('own replica first, then R-1 other primaries', async (t) => {
  t.same(firstWave(pl(4, ['a', 'b', 'c']), 'b', 2, 'quorum').slice(0, 1), [1], 'the local replica leads')
  t.equal(firstWave(pl(4, ['a', 'b', 'c']), 'b', 2, 'quorum').length, 2)
  t.same(firstWave(pl(4, ['a', 'b', 'c']), 'b', 1, 'quorum'), [1], 'r=1 reads only the local copy')
})

t.test('the other primaries rotate with the partition, so keys spread their reads', async (t) => {
  const seconds = new Set<number>()
  for (let p = 0; p < 8; p++) seconds.add(firstWave(pl(p, ['a', 'b', 'c']), 'a', 2, 'quorum')[1]!)
  t.same([...seconds].sort(), [1, 2], 'both other replicas serve as the second')
  t.same(firstWave(pl(6, ['a', 'b', 'c']), 'a', 2, 'quorum'), firstWave(pl(6, ['a', 'b', 'c']), 'a', 2, 'quorum'), 'and one key always reads the same pair')
})

t.test('a coordinator outside the list reads primaries before fallbacks', async (t) => {
  const wave = firstWave(pl(0, ['a', 'b', 'c', 'd'], 1), 'z', 3, 'quorum')
  t.same([...wave].sort(), [0, 1, 2], 'the fallback (slot 3) waits for an escalation')
})

t.test('fanout all, or wanting every slot, asks everyone; never less than one', async (t) => {
  t.same(firstWave(pl(0, ['a', 'b', 'c']), 'a', 2, 'all'), [0, 1, 2])
  t.same(firstWave(pl(0, ['a', 'b', 'c']), 'a', 3, 'quorum'), [0, 1, 2])
  t.equal(firstWave(pl(0, ['a', 'b', 'c']), 'a', 0, 'quorum').length, 1, 'r=0 is not a read of nothing')
})
