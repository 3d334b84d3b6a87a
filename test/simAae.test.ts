/**
 * Anti-entropy in the simulator: some replica writes deliberately skip their replica
 * (`--skip-replica`), so replicas diverge with no fault to blame; after the faults heal and
 * anti-entropy has had bounded simulated time, every primary of every key must hold the same bytes
 * before any final read (liveness:not-converged). 500 seeds of 60 operations with every fault.
 * Without exchanges (the `noaae` plant) the same checker fails, so it is not vacuous.
 */
import t from 'tap'
import type { SimOptions } from '../src/sim/params.js'
import { failuresOf, runRange } from './harness/simRuns.js'

const SKIP: SimOptions = { faults: 'all', ops: 60, deleteMode: 'reap', skipReplica: true }

t.test('without anti-entropy, skipped replicas stay behind: the convergence checker fails', async (t) => {
  const planted = await runRange(1, 20, { ...SKIP, plant: 'noaae' })
  const stale = planted.filter((r) => r.failures.some((f) => f.checker === 'liveness:not-converged'))
  t.ok(stale.length >= 5, `not converged without exchanges on ${stale.length} of 20 seeds`)
})

t.test('500 seeds with skipped replicas and every fault converge by anti-entropy alone', async (t) => {
  const results = await runRange(1, 500, SKIP)
  t.same(failuresOf(results), [], 'no seed fails')
})
