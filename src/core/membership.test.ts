import t from 'tap'
import { claimantOf, clusterRingChecksum, mergeRings, parseClusterRing, singleNodeRing, staticRing, type ClusterRing } from './clusterRing.js'
import { clearStaged, commit, completeMove, plan, removeExited, stage, stageJoin } from './membership.js'
import { codeOf } from '../../test/harness/codeOf.js'

const m = (name: string) => ({ name, host: '127.0.0.1', port: 1000 + Number(name.slice(1)) })
const three = () => staticRing(['n1', 'n2', 'n3'].map(m), 64, 3)
const counts = (owners: readonly string[]) => owners.reduce((acc, o) => acc.set(o, (acc.get(o) ?? 0) + 1), new Map<string, number>())

function finishAll(cr: ClusterRing): ClusterRing {
  let r = cr
  for (const move of cr.next) r = completeMove(r, move)
  return r
}

t.test('join, plan, commit, moves complete: 4 members own 16 each', async (t) => {
  const joined = stageJoin(three(), m('n4'))
  t.equal(joined.members.find((x) => x.name === 'n4')?.status, 'joining')
  t.same(joined.owners, three().owners, 'a staged join moves nothing')
  const p = plan(joined)
  t.same([...counts(p.owners).values()].sort(), [16, 16, 16, 16])
  t.ok(p.moves.length >= 16 && p.moves.length <= 16 + 6, `about Q/4 partitions move (${p.moves.length})`)
  t.ok(p.moves.every((x) => x.to === 'n4' || x.from !== x.to))
  const committed = commit(joined)
  t.equal(committed.members.find((x) => x.name === 'n4')?.status, 'valid')
  t.same(committed.owners, three().owners, 'owners flip only as moves complete')
  t.equal(committed.next.length, p.moves.length)
  t.same(committed.staged, [])
  const done = finishAll(committed)
  t.same(done.owners, p.owners)
  t.same(done.next, [])
  t.ok(done.version > committed.version)
})

t.test('leave: the node hands everything off, becomes exiting, then is removed', async (t) => {
  const staged = stage(three(), { kind: 'leave', node: 'n1' })
  const committed = commit(staged)
  t.equal(committed.members.find((x) => x.name === 'n1')?.status, 'leaving')
  t.ok(committed.next.every((x) => x.from === 'n1'), 'only n1 partitions move')
  const done = finishAll(committed)
  t.notOk(done.owners.includes('n1'))
  t.equal(done.members.find((x) => x.name === 'n1')?.status, 'exiting')
  const gone = removeExited(done, 'n1')
  t.same(gone.members.map((x) => x.name), ['n2', 'n3'])
})

t.test('force-remove reassigns at once; replace moves exactly the old node partitions', async (t) => {
  const fr = commit(stage(three(), { kind: 'force-remove', node: 'n3' }))
  t.notOk(fr.owners.includes('n3'))
  t.same(fr.next, [], 'nothing to stream from a dead node')
  t.notOk(fr.members.some((x) => x.name === 'n3'))
  const withN4 = stageJoin(three(), m('n4'))
  const rp = plan(stage(withN4, { kind: 'replace', node: 'n2', by: 'n4' }))
  const n2parts = three().owners.flatMap((o, p) => (o === 'n2' ? [p] : []))
  t.same(rp.moves.map((x) => x.partition), n2parts)
  t.ok(rp.moves.every((x) => x.from === 'n2' && x.to === 'n4'))
})

t.test('bad changes are refused with INVALID_MEMBERSHIP and change nothing', async (t) => {
  const r = three()
  t.equal(await codeOf(Promise.resolve().then(() => stage(r, { kind: 'leave', node: 'n9' }))), 'INVALID_MEMBERSHIP')
  t.equal(await codeOf(Promise.resolve().then(() => stageJoin(r, m('n1')))), 'INVALID_MEMBERSHIP')
  const once = stage(r, { kind: 'leave', node: 'n1' })
  t.equal(await codeOf(Promise.resolve().then(() => stage(once, { kind: 'leave', node: 'n1' }))), 'INVALID_MEMBERSHIP')
  t.equal(await codeOf(Promise.resolve().then(() => commit(r))), 'INVALID_MEMBERSHIP', 'nothing staged')
  const moving = commit(stageJoin(r, m('n4')))
  t.equal(await codeOf(Promise.resolve().then(() => plan(stage(moving, { kind: 'leave', node: 'n2' })))), 'INVALID_MEMBERSHIP', 'no new plan while moves run')
  const alone = singleNodeRing(m('n1'), 16, 3)
  t.equal(await codeOf(Promise.resolve().then(() => stage(alone, { kind: 'leave', node: 'n1' }))), 'INVALID_MEMBERSHIP', 'the last member cannot leave')
  t.same(clearStaged(once).staged, [])
})

t.test('gossip merge: higher version wins, ties broken the same way everywhere', async (t) => {
  const a = three()
  const b = stageJoin(a, m('n4'))
  t.equal(mergeRings(a, b), b)
  t.equal(mergeRings(b, a), b)
  const c = { ...b, owners: [...b.owners].reverse() }
  t.equal(mergeRings(b, c), mergeRings(c, b), 'commutative on a tie')
  t.equal(claimantOf(b, () => true), 'n1')
  t.equal(claimantOf(b, (n) => n !== 'n1'), 'n2', 'the next valid member when the first is down')
})

t.test('a ring from the wire is checked, and round-trips', async (t) => {
  const r = commit(stageJoin(three(), m('n4')))
  const back = parseClusterRing(JSON.parse(JSON.stringify(r)), 256)
  t.equal(clusterRingChecksum(back), clusterRingChecksum(r))
  for (const bad of [null, { ...r, q: 63 }, { ...r, owners: r.owners.slice(1) }, { ...r, owners: r.owners.map(() => 'n9') }, { ...r, members: [] }, { ...r, members: [{ ...r.members[0], status: 'weird' }] }]) {
    t.equal(await codeOf(Promise.resolve().then(() => parseClusterRing(bad, 256))), 'INVALID_ARGUMENT')
  }
})
