import t from 'tap'
import { SpineError } from '../shared/errors.js'
import { PutCore, type PutOutcome, type PutParams } from './putCore.js'
import { mulberry32 } from '../../test/harness/prng.js'
import { arrivals, kindAssignments, permutations, primaryPatterns, withoutStacks } from '../../test/harness/quorumCases.js'

type Kind = 'ack' | 'fail'
const failCode = (i: number) => `E${i}`

function show(o: PutOutcome): string {
  if (o.kind !== 'error') return o.kind
  const d = o.error.data
  const tag = o.error instanceof SpineError ? '' : '(not a SpineError)'
  return `error:${o.error.code}${tag}:${JSON.stringify({ required: d.required, received: d.received, failures: d.failures })}`
}

/**
 * The reference: one acknowledgement counts toward W and DW; only primaries count toward PW.
 * Decided once all three are met, or as soon as one can no longer be met, reported in the order
 * W, DW, PW.
 */
function reference(p: PutParams, prim: readonly boolean[], got: ReadonlyArray<readonly [number, Kind]>): string {
  let acks = 0
  let primAcks = 0
  const failures: string[] = []
  const answered = new Set<number>()
  for (const [i, k] of got) {
    answered.add(i)
    if (k === 'ack') {
      acks++
      if (prim[i] === true) primAcks++
    } else failures.push(failCode(i))
  }
  const left = p.n - answered.size
  let leftPrim = 0
  for (let i = 0; i < p.n; i++) if (prim[i] === true && !answered.has(i)) leftPrim++
  if (acks >= p.w && acks >= p.dw && primAcks >= p.pw) return 'ok'
  const err = (code: string, required: number, received: number) => `error:${code}:${JSON.stringify({ required, received, failures })}`
  if (acks + left < p.w) return err('W_UNSATISFIED', p.w, acks)
  if (acks + left < p.dw) return err('DW_UNSATISFIED', p.dw, acks)
  if (primAcks + leftPrim < p.pw) return err('PW_UNSATISFIED', p.pw, primAcks)
  return 'pending'
}






function run(p: PutParams, prim: boolean[], seq: ReadonlyArray<readonly [number, Kind]>, bad: string[]): PutCore {
  const core = new PutCore(p, prim)
  const label = () => `${JSON.stringify(p)} prim=${prim.map(Number).join('')} seq=${seq.map(([i, k]) => `${i}${k[0]}`).join(' ')}`
  const first = reference(p, prim, [])
  if (show(core.outcome()) !== first) bad.push(`${label()} before any reply: ${show(core.outcome())} want ${first}`)
  for (let step = 1; step <= seq.length; step++) {
    const [i, k] = seq[step - 1]!
    if (k === 'ack') core.ack(i)
    else core.fail(i, failCode(i))
    const got = show(core.outcome())
    const want = reference(p, prim, seq.slice(0, step))
    if (got !== want) bad.push(`${label()} after ${step}: ${got} want ${want}`)
    const acks = seq.slice(0, step).filter(([, x]) => x === 'ack').length
    if (core.ackCount() !== acks || core.allReceived() !== (step === p.n)) bad.push(`${label()} after ${step}: counters`)
  }
  return core
}

t.test('exhaustive: n <= 4, every w, dw, pw, ack/fail sequence, fallback position', async (t) => {
  for (let n = 1; n <= 4; n++) {
    const bad: string[] = []
    const assignments = kindAssignments(n, ['ack', 'fail'] as const)
    let runs = 0
    const finals = new Set<string>()
    for (const { prim, orders } of arrivals(n)) {
      for (let w = 1; w <= n; w++) {
        for (let dw = 0; dw <= n; dw++) {
          for (let pw = 0; pw <= n; pw++) {
            const p: PutParams = { n, w, dw, pw }
            for (const kinds of assignments) {
              for (const order of orders) {
                const core = withoutStacks(() =>
                  run(
                    p,
                    prim,
                    order.map((i) => [i, kinds[i]!] as const),
                    bad,
                  ),
                )
                finals.add(show(core.outcome()).split(':').slice(0, 2).join(':'))
                runs++
              }
            }
          }
        }
      }
    }
    t.same(bad.slice(0, 8), [], `n=${n}: ${runs} sequences, ${bad.length} mismatches`)
    if (n >= 2) {
      for (const o of ['ok', 'error:W_UNSATISFIED', 'error:DW_UNSATISFIED', 'error:PW_UNSATISFIED']) {
        t.ok([...finals].includes(o), `n=${n}: final outcome ${o} occurs`)
      }
    }
  }
})

t.test('sampled: n = 5', async (t) => {
  const rnd = mulberry32(55)
  const int = (k: number) => Math.floor(rnd() * k)
  const perms = permutations(5)
  const patterns = [...primaryPatterns(5), [false, true, false, true, true]]
  const bad: string[] = []
  for (let c = 0; c < 3000; c++) {
    const p: PutParams = { n: 5, w: 1 + int(5), dw: int(6), pw: int(6) }
    const seq = perms[int(perms.length)]!.slice(0, 1 + int(5)).map((i) => [i, rnd() < 0.6 ? 'ack' : 'fail'] as const)
    withoutStacks(() => run(p, patterns[int(patterns.length)]!, seq, bad))
  }
  t.same(bad.slice(0, 8), [], `${bad.length} mismatches`)
})

t.test('PW counts primaries only', async (t) => {
  const core = new PutCore({ n: 3, w: 2, dw: 2, pw: 2 }, [true, false, true])
  core.ack(1) // fallback
  core.ack(0)
  t.equal(core.outcome().kind, 'pending', 'W and DW met with a fallback, PW not yet')
  core.fail(2, 'UNREACHABLE')
  const out = core.outcome()
  t.equal(out.kind === 'error' && out.error.code, 'PW_UNSATISFIED')
  if (out.kind === 'error') t.same(out.error.data, { required: 2, received: 1, failures: ['UNREACHABLE'] })
  const fallbackOnly = new PutCore({ n: 3, w: 1, dw: 0, pw: 1 }, [false, false, false])
  t.equal(show(fallbackOnly.outcome()), 'error:PW_UNSATISFIED:{"required":1,"received":0,"failures":[]}', 'no primaries: PW fails at once')
})

t.test('named errors and their data', async (t) => {
  const w = new PutCore({ n: 3, w: 2, dw: 0, pw: 0 }, [true, true, true])
  w.fail(0, 'TIMEOUT')
  t.equal(w.outcome().kind, 'pending')
  w.fail(2, 'OVERLOADED')
  t.equal(show(w.outcome()), 'error:W_UNSATISFIED:{"required":2,"received":0,"failures":["TIMEOUT","OVERLOADED"]}')
  const dw = new PutCore({ n: 3, w: 1, dw: 3, pw: 0 }, [true, true, true])
  dw.ack(0)
  t.equal(dw.outcome().kind, 'pending', 'W met, DW=3 still reachable')
  dw.fail(1, 'X')
  t.equal(show(dw.outcome()), 'error:DW_UNSATISFIED:{"required":3,"received":1,"failures":["X"]}')
  const out = dw.outcome()
  if (out.kind === 'error') t.match(out.error.message, /dw=3/)
})

t.test('a slot outside the plan is a programmer error', async (t) => {
  const core = new PutCore({ n: 2, w: 2, dw: 2, pw: 0 }, [true, true])
  t.throws(() => core.ack(2), RangeError)
  t.throws(() => core.ack(-1), RangeError)
  t.throws(() => core.fail(1.5, 'X'), RangeError)
  t.equal(core.ackCount(), 0)
})

t.test('repeats are ignored', async (t) => {
  const core = new PutCore({ n: 2, w: 2, dw: 2, pw: 0 }, [true, true])
  core.ack(0)
  core.ack(0)
  core.fail(0, 'late failure of an acknowledged replica')
  t.equal(core.ackCount(), 1)
  t.notOk(core.allReceived())
  t.equal(core.outcome().kind, 'pending')
  core.fail(1, 'X')
  core.ack(1)
  t.ok(core.allReceived())
  t.equal(show(core.outcome()), 'error:W_UNSATISFIED:{"required":2,"received":1,"failures":["X"]}')
})

t.test('timeout reports TIMEOUT with what was received', async (t) => {
  const core = new PutCore({ n: 3, w: 2, dw: 3, pw: 1 }, [true, true, true])
  core.ack(1)
  core.fail(0, 'X')
  const out = core.timeout(2500)
  t.equal(out.kind, 'error')
  if (out.kind === 'error') {
    t.ok(out.error instanceof SpineError)
    t.equal(out.error.code, 'TIMEOUT')
    t.same(out.error.data, { timeoutMs: 2500, required: 3, received: 1 })
  }
  const w3 = new PutCore({ n: 3, w: 3, dw: 0, pw: 0 }, [true, true, true])
  const o = w3.timeout(10)
  t.same(o.kind === 'error' && o.error.data, { timeoutMs: 10, required: 3, received: 0 }, 'required is the larger of W and DW')
})

t.test('nodeConfirms counts distinct physical nodes among the acknowledgements', async (t) => {
  const params = { n: 3, w: 2, dw: 0, pw: 0, nodeConfirms: 2 }
  const shared = new PutCore(params, [true, true, false], ['a', 'b', 'a'])
  shared.ack(0)
  shared.ack(2)
  t.equal(shared.outcome().kind, 'pending', 'w met, but a fallback on the same node as a primary adds no node')
  shared.ack(1)
  t.equal(shared.outcome().kind, 'ok')
  const failing = new PutCore({ ...params, nodeConfirms: 3 }, [true, true, false], ['a', 'b', 'a'])
  const o = failing.outcome()
  t.equal(o.kind === 'error' && o.error.code, 'NODE_CONFIRMS_UNSATISFIED', 'only two distinct nodes in the list')
  t.match(o.kind === 'error' && o.error.data, { required: 3, received: 0 })
})
