/**
 * The simulator with dynamic membership among its faults: spare machines join and members leave
 * (staged and committed through the claimant, as an operator would) while crashes, partitions,
 * clogs and skew run, so ownership transfers are cut short and resumed. The safety checkers hold
 * (no acknowledged write lost, nothing deleted comes back) and the liveness checker demands that
 * once faults heal every move completes, leavers exit and every member agrees on the ring.
 * In its own file so tap runs it beside test/sim.test.ts.
 */
import t from 'tap'
import { runSeed } from '../src/sim/runSeed.js'
import type { SimOptions } from '../src/sim/params.js'
import { failuresOf, runRange } from './harness/simRuns.js'

const MEMBERSHIP: SimOptions = { faults: 'all', ops: 60, deleteMode: 'reap', membership: true }

// 200 seeds, not 500: anti-entropy's convergence window made each seed ~2.5x dearer (suite budget: 10 minutes on 2 cores).
t.test('200 seeds with membership changes among every fault pass', async (t) => {
  const results = await runRange(1, 200, MEMBERSHIP)
  const failures = failuresOf(results)
  const changes = results.reduce((n, r) => n + r.history.faults.filter((f) => /^(join|leave) /.test(f.what)).length, 0)
  t.same(failures, [], 'no seed fails')
  t.ok(changes > 50, `membership changes happened (${changes} joins and leaves staged)`)
})

t.test('regressions: membership seeds that found bugs now pass', async (t) => {
  // 18: a put's timeout fired while its coordinating vnode was still writing (an unhandled
  // rejection); 101: a vnode restarted between reaping a tombstone and receiving an older copy
  // (the reap memory is now persisted), and a moving partition was reaped on its old owner.
  for (const seed of [18, 101]) {
    const r = await runSeed(seed, { faults: 'all', ops: 100, deleteMode: 'reap', membership: true })
    t.same(r.failures.map((f) => f.checker), [], `seed ${seed}`)
  }
})
