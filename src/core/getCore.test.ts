import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { GetCore, type GetOutcome, type GetParams, type ReplicaReply } from './getCore.js'
import { coordinatePut, syncMerge, type Dot, type KvObject, type SiblingContent } from './object.js'
import { counterOf } from './vclock.js'
import { mulberry32 } from '../../test/harness/prng.js'
import { arrivals, kindAssignments, permutations, primaryPatterns, withoutStacks } from '../../test/harness/quorumCases.js'

const content = (v: string, lm: number): SiblingContent => ({
  value: Buffer.from(v),
  contentType: 'text/plain',
  lastModified: lm,
  meta: {},
  deleted: false,
})

// Replica copies of one key: v1 overwritten by v2 (same vnode), v3 concurrent, and v2+v3 merged.
const o1 = coordinatePut(undefined, [], content('v1', 1), 'vnA', 1, true)
const o2 = coordinatePut(o1, o1.clock, content('v2', 2), 'vnA', 2, true)
const o3 = coordinatePut(undefined, [], content('v3', 3), 'vnB', 3, true)
const o4 = syncMerge(o2, o3)
/** the copy replica i holds when it answers ok */
const OBJS: KvObject[] = [o1, o2, o3, o4, o2]

type Kind = 'ok' | 'notfound' | 'error'
const KINDS: Kind[] = ['ok', 'notfound', 'error']

const dotId = (d: Dot): string => `${d.actor}:${d.counter}`
const dotsOf = (o: KvObject): string[] => o.siblings.map((s) => dotId(s.dot)).sort()

/** The DVV merge stated on its own: a dot survives iff every copy holds it or has not seen it. */
function refMerge(objs: KvObject[]): string {
  const all = new Map<string, Dot>()
  for (const o of objs) for (const s of o.siblings) all.set(dotId(s.dot), s.dot)
  const dots = [...all]
    .filter(([id, d]) => objs.every((o) => dotsOf(o).includes(id) || counterOf(o.clock, d.actor) < d.counter))
    .map(([id]) => id)
    .sort()
  const actors = [...new Set(objs.flatMap((o) => o.clock.map((e) => e.actor)))].sort()
  const clock = actors.map((a) => `${a}=${Math.max(...objs.map((o) => counterOf(o.clock, a)))}`)
  return `${dots.join(',')}|${clock.join(',')}`
}

const mergeMemo = new Map<string, string>()
/** refMerge of the copies held by these replicas (memoized: there are only 2^5 sets). */
function refMergeOf(indexes: number[]): string {
  const key = [...new Set(indexes)].sort().join()
  let v = mergeMemo.get(key)
  if (v === undefined) mergeMemo.set(key, (v = refMerge(indexes.map((i) => OBJS[i]!))))
  return v
}

function show(o: GetOutcome): string {
  switch (o.kind) {
    case 'pending':
    case 'notfound':
      return o.kind
    case 'ok':
      return `ok:${dotsOf(o.obj).join(',')}|${o.obj.clock.map((e) => `${e.actor}=${e.counter}`).join(',')}`
    case 'error': {
      const d = o.error.data
      const ok = o.error instanceof SpineError ? '' : '(not a SpineError)'
      return `error:${o.error.code}${ok}:${JSON.stringify({ required: d.required, received: d.received, errors: d.errors, pending: d.pending })}`
    }
  }
}

/**
 * The reference: decided as soon as success (okLike >= r and primary okLike >= pr) is reached or
 * can no longer be reached. An unreachable PR is reported before an unreachable R. With
 * notfoundOk off a notfound is not an answer; when R fails and no replica had the object, the
 * read is a plain notfound once R replicas said so or every replica did (it waits while only
 * notfounds are in).
 */
function reference(p: GetParams, prim: readonly boolean[], got: ReadonlyArray<readonly [number, Kind]>): string {
  let ok = 0
  let nf = 0
  let err = 0
  let primOkLike = 0
  const answered = new Set<number>()
  for (const [i, k] of got) {
    answered.add(i)
    if (k === 'ok') ok++
    else if (k === 'notfound') nf++
    else err++
    if (prim[i] === true && (k === 'ok' || (k === 'notfound' && p.notfoundOk))) primOkLike++
  }
  const okLike = ok + (p.notfoundOk ? nf : 0)
  const left = p.n - answered.size
  let leftPrim = 0
  for (let i = 0; i < p.n; i++) if (prim[i] === true && !answered.has(i)) leftPrim++
  if (okLike >= p.r && primOkLike >= p.pr) {
    return ok > 0 ? `ok:${refMergeOf(got.filter(([, k]) => k === 'ok').map(([i]) => i))}` : 'notfound'
  }
  const data = (required: number, received: number) => JSON.stringify({ required, received, errors: err, pending: left })
  if (primOkLike + leftPrim < p.pr) return `error:PR_UNSATISFIED:${data(p.pr, primOkLike)}`
  if (okLike + left < p.r) {
    if (!p.notfoundOk && ok === 0) {
      if (nf >= p.r || (err === 0 && left === 0)) return 'notfound'
      if (err === 0) return 'pending'
    }
    return `error:R_UNSATISFIED:${data(p.r, okLike)}`
  }
  return 'pending'
}

function reply(i: number, k: Kind): ReplicaReply {
  return k === 'ok' ? { kind: 'ok', obj: OBJS[i]! } : k === 'notfound' ? { kind: 'notfound' } : { kind: 'error', code: 'UNREACHABLE' }
}

/** Reference read repair: every notfound, and every copy that differs from the merge of all. */
function refRepairs(got: ReadonlyArray<readonly [number, Kind]>): number[] {
  const oks = got.filter(([, k]) => k === 'ok').map(([i]) => i)
  if (oks.length === 0) return []
  const merged = refMergeOf(oks)
  return got
    .filter(([i, k]) => k === 'notfound' || (k === 'ok' && refMergeOf([i]) !== merged))
    .map(([i]) => i)
    .sort((a, b) => a - b)
}




/** Feed one arrival sequence, comparing the outcome with the reference after every reply. */
function run(p: GetParams, prim: boolean[], seq: ReadonlyArray<readonly [number, Kind]>, bad: string[]): GetCore {
  const core = new GetCore(p, prim)
  const label = () => `${JSON.stringify(p)} prim=${prim.map(Number).join('')} seq=${seq.map(([i, k]) => `${i}${k[0]}`).join(' ')}`
  const first = reference(p, prim, [])
  if (show(core.outcome()) !== first) bad.push(`${label()} before any reply: ${show(core.outcome())} want ${first}`)
  for (let step = 1; step <= seq.length; step++) {
    const [i, k] = seq[step - 1]!
    core.add(i, reply(i, k))
    const got = show(core.outcome())
    const want = reference(p, prim, seq.slice(0, step))
    if (got !== want) bad.push(`${label()} after ${step}: ${got} want ${want}`)
  }
  return core
}



t.test('exhaustive: n <= 4, every r, pr, notfoundOk, kind sequence, fallback position', async (t) => {
  for (let n = 1; n <= 4; n++) {
    const bad: string[] = []
    const assignments = kindAssignments(n, KINDS)
    let runs = 0
    const seen = new Set<string>()
    for (const { prim, orders } of arrivals(n)) {
      for (let r = 1; r <= n; r++) {
        for (let pr = 0; pr <= n; pr++) {
          for (const notfoundOk of [true, false]) {
            const p: GetParams = { n, r, pr, notfoundOk, allowMult: true }
            for (const kinds of assignments) {
              for (const order of orders) {
                const seq = order.map((i) => [i, kinds[i]!] as const)
                const core = withoutStacks(() => run(p, prim, seq, bad))
                runs++
                seen.add(show(core.outcome()).split(':').slice(0, 2).join(':'))
              }
              // read repair, once every reply is in (arrival order does not matter to it)
              const all = kinds.map((k, i) => [i, k] as const)
              const core = new GetCore(p, prim)
              for (const [i, k] of [...all].reverse()) core.add(i, reply(i, k))
              const want = refRepairs(all)
              if (core.repairs().join() !== want.join()) bad.push(`repairs n=${n} ${kinds}: ${core.repairs()} want ${want}`)
            }
          }
        }
      }
    }
    t.same(bad.slice(0, 8), [], `n=${n}: ${runs} sequences, ${bad.length} mismatches`)
    if (n >= 3) {
      for (const o of ['ok', 'notfound', 'error:R_UNSATISFIED', 'error:PR_UNSATISFIED']) {
        t.ok([...seen].some((s) => s.startsWith(o)), `n=${n}: final outcome ${o} occurs`)
      }
    }
  }
})

t.test('sampled: n = 5', async (t) => {
  const rnd = mulberry32(5)
  const int = (k: number) => Math.floor(rnd() * k)
  const bad: string[] = []
  const perms = permutations(5)
  const patterns = [...primaryPatterns(5), [true, false, true, false, true]]
  for (let c = 0; c < 3000; c++) {
    const r = 1 + int(5)
    const p: GetParams = { n: 5, r, pr: int(6), notfoundOk: rnd() < 0.5, allowMult: true }
    const order = perms[int(perms.length)]!
    const seq = order.slice(0, 1 + int(5)).map((i) => [i, KINDS[int(3)]!] as const)
    withoutStacks(() => run(p, patterns[int(patterns.length)]!, seq, bad))
  }
  t.same(bad.slice(0, 8), [], `${bad.length} mismatches`)
})

t.test('PR counts primaries only', async (t) => {
  const p: GetParams = { n: 3, r: 2, pr: 2, notfoundOk: true, allowMult: true }
  const prim = [true, true, false] // index 2 is a fallback
  const a = new GetCore(p, prim)
  a.add(2, { kind: 'ok', obj: o2 })
  a.add(0, { kind: 'ok', obj: o2 })
  t.equal(a.outcome().kind, 'pending', 'R met, but only one primary answered')
  a.add(1, { kind: 'ok', obj: o2 })
  t.equal(a.outcome().kind, 'ok', 'the second primary meets PR')

  const b = new GetCore(p, prim)
  b.add(0, { kind: 'error', code: 'UNREACHABLE' })
  const out = b.outcome()
  t.equal(out.kind, 'error', 'a primary failing makes PR=2 impossible with one primary left')
  if (out.kind === 'error') {
    t.equal(out.error.code, 'PR_UNSATISFIED')
    t.match(out.error.data, { required: 2, received: 0 })
  }
  const c = new GetCore({ ...p, pr: 3 }, prim)
  const early = c.outcome()
  t.equal(early.kind === 'error' && early.error.code, 'PR_UNSATISFIED', 'PR above the number of primaries fails before any reply')
})

t.test('notfound and notfoundOk', async (t) => {
  const on: GetParams = { n: 3, r: 2, pr: 0, notfoundOk: true, allowMult: true }
  const off: GetParams = { ...on, notfoundOk: false }
  const prim = [true, true, true]
  const outcome = (p: GetParams, replies: ReplicaReply[]) => {
    const core = new GetCore(p, prim)
    replies.forEach((rep, i) => core.add(i, rep))
    return core.outcome()
  }
  const nf: ReplicaReply = { kind: 'notfound' }
  const err: ReplicaReply = { kind: 'error', code: 'UNREACHABLE' }
  const ok: ReplicaReply = { kind: 'ok', obj: o2 }
  t.equal(outcome(on, [nf, nf]).kind, 'notfound', 'notfoundOk: two notfounds answer r=2')
  t.equal(outcome(on, [nf, ok]).kind, 'ok', 'notfoundOk: a notfound and a value give the value')
  t.equal(outcome(off, [nf, ok]).kind, 'pending', 'notfoundOk off: a notfound is no answer, wait for the third')
  t.equal(outcome(off, [nf, ok, ok]).kind, 'ok')
  t.equal(outcome(off, [nf, nf]).kind, 'notfound', 'notfoundOk off: two notfounds (R of them) are a plain notfound')
  const nfOkNf = outcome(off, [nf, ok, nf])
  t.equal(nfOkNf.kind === 'error' && nfOkNf.error.code, 'R_UNSATISFIED', 'one copy seen but R=2 not met: not a notfound')
  const nfErr = outcome(off, [nf, err])
  t.equal(nfErr.kind === 'error' && nfErr.error.code, 'R_UNSATISFIED', 'one notfound and one error: R unreachable')
  if (nfErr.kind === 'error') t.same(nfErr.error.data, { required: 2, received: 0, errors: 1, pending: 1 })
  const all: GetParams = { ...off, r: 3 }
  t.equal(outcome(all, [nf]).kind, 'pending', 'r=all, notfoundOk off: one notfound waits for the others')
  t.equal(outcome(all, [nf, nf, nf]).kind, 'notfound', 'r=all, notfoundOk off: absent everywhere is a plain notfound')
  const nfNfOk = outcome(all, [nf, nf, ok])
  t.equal(nfNfOk.kind === 'error' && nfNfOk.error.code, 'R_UNSATISFIED', 'r=all with a copy on one replica is not a notfound')
})

t.test('repairs, merge and allowMult', async (t) => {
  const p: GetParams = { n: 4, r: 1, pr: 0, notfoundOk: true, allowMult: true }
  const core = new GetCore(p, [true, true, true, true])
  core.add(0, { kind: 'ok', obj: o1 })
  const first = core.outcome()
  t.equal(first.kind === 'ok' && dotsOf(first.obj).join(), 'vnA:1', 'r=1 answers with the first copy')
  core.add(1, { kind: 'ok', obj: o3 })
  core.add(2, { kind: 'notfound' })
  core.add(3, { kind: 'error', code: 'TIMEOUT' })
  const merged = core.merged()!
  t.same(dotsOf(merged), ['vnA:1', 'vnB:1'], 'merged holds both concurrent copies')
  t.same(core.repairs(), [0, 1, 2], 'both partial copies and the notfound are repaired; the error is left alone')
  const lww = new GetCore({ ...p, allowMult: false }, [true, true, true, true])
  lww.add(0, { kind: 'ok', obj: o2 })
  lww.add(1, { kind: 'ok', obj: o3 })
  const out = lww.outcome()
  t.equal(out.kind === 'ok' && dotsOf(out.obj).join(), 'vnB:1', 'allowMult=false keeps the latest sibling only')
  const none = new GetCore(p, [true, true, true, true])
  none.add(0, { kind: 'notfound' })
  none.add(1, { kind: 'error', code: 'X' })
  t.same(none.repairs(), [], 'nothing to repair from when no replica has the object')
  t.equal(none.merged(), undefined)
})

t.test('add ignores repeats and unknown indexes; received and allReceived', async (t) => {
  const core = new GetCore({ n: 3, r: 2, pr: 0, notfoundOk: true, allowMult: true }, [true, true, true])
  core.add(0, { kind: 'error', code: 'X' })
  core.add(0, { kind: 'ok', obj: o2 }) // a late duplicate must not turn the error into an answer
  core.add(3, { kind: 'ok', obj: o2 })
  core.add(-1, { kind: 'ok', obj: o2 })
  t.equal(core.received(), 1)
  t.notOk(core.allReceived())
  t.equal(core.outcome().kind, 'pending')
  core.add(1, { kind: 'ok', obj: o2 })
  core.add(2, { kind: 'error', code: 'X' })
  t.ok(core.allReceived())
  const out = core.outcome()
  t.equal(out.kind === 'error' && out.error.code, 'R_UNSATISFIED', 'the duplicate ok for index 0 was not counted')
})

t.test('timeout reports TIMEOUT with what was received', async (t) => {
  for (const notfoundOk of [true, false]) {
    const core = new GetCore({ n: 3, r: 3, pr: 0, notfoundOk, allowMult: true }, [true, true, true])
    core.add(0, { kind: 'ok', obj: o2 })
    core.add(1, { kind: 'notfound' })
    const out = core.timeout(1500)
    t.equal(out.kind, 'error')
    if (out.kind === 'error') {
      t.equal(out.error.code, 'TIMEOUT')
      t.ok(out.error instanceof SpineError)
      t.same(out.error.data, { timeoutMs: 1500, required: 3, received: notfoundOk ? 2 : 1 }, `notfoundOk=${notfoundOk}`)
    }
  }
})

t.test('asked slots only: a read over a subset decides exactly as a read whose n is that subset', async (t) => {
  const n = 3
  const subsets = [[0], [1], [0, 2], [1, 2], [0, 1, 2]]
  const summary = (o: GetOutcome): string => (o.kind === 'ok' ? `ok ${dotsOf(o.obj).join(',')}` : o.kind === 'error' ? `error ${o.error.code}` : o.kind)
  let cases = 0
  const bad: string[] = []
  for (const asked of subsets) {
    for (const prim of [[true, true, true], [true, false, true], [false, true, true]]) {
      for (const kinds of kindAssignments(n, KINDS)) {
        for (const r of [1, 2, 3]) {
          for (const pr of [0, 1, 2]) {
            for (const notfoundOk of [true, false]) {
              const p: GetParams = { n, r, pr, notfoundOk, allowMult: true }
              const sub = new GetCore(p, prim, asked)
              const ref = new GetCore({ ...p, n: asked.length }, asked.map((i) => prim[i]!))
              const reply = (i: number): ReplicaReply => (kinds[i] === 'ok' ? { kind: 'ok', obj: OBJS[i]! } : kinds[i] === 'notfound' ? { kind: 'notfound' } : { kind: 'error', code: 'X' })
              for (let i = 0; i < n; i++) sub.add(i, reply(i)) // replies from slots never asked are ignored
              asked.forEach((i, j) => ref.add(j, reply(i)))
              cases++
              if (summary(sub.outcome()) !== summary(ref.outcome())) bad.push(`asked ${asked} prim ${prim} ${kinds} r=${r} pr=${pr} nfok=${notfoundOk}`)
            }
          }
        }
      }
    }
  }
  t.same(bad.slice(0, 5), [], `${cases} cases`)
})

t.test('asking the rest later: unasked, askedReceived, and a programmer error on a bad slot', async (t) => {
  const core = new GetCore({ n: 3, r: 2, pr: 0, notfoundOk: true, allowMult: true }, [true, true, true], [0, 1])
  t.same(core.unasked(), [2])
  core.add(0, { kind: 'ok', obj: o2 })
  core.add(1, { kind: 'error', code: 'X' })
  t.ok(core.askedReceived())
  t.notOk(core.allReceived())
  t.equal(core.outcome().kind, 'error', 'R cannot be met by those asked')
  core.ask(2)
  t.same(core.unasked(), [])
  t.equal(core.outcome().kind, 'pending', 'asking the third makes it pending again')
  core.add(2, { kind: 'ok', obj: o2 })
  t.equal(core.outcome().kind, 'ok')
  t.ok(core.allReceived())
  t.throws(() => core.ask(3), RangeError)
  t.throws(() => core.ask(-1), RangeError)
})
