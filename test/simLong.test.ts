/**
 * The simulator's long run in CI: 200 seeds of 200 operations with every fault (crashes, power
 * cuts off, partitions, clogs, flaky links, clock skew), so fallbacks take writes and hinted
 * handoff brings them home while faults continue. In its own file so tap runs it beside the rest. 200 rather than 500 since anti-entropy (issue 8)
 * runs in every seed and its convergence window made each seed ~1.8x dearer; the suite must stay
 * within 10 minutes on 2 cores. More seeds: `npm run sim -- --seeds 5000 --ops 200`.
 */
import t from 'tap'
import type { SimOptions } from '../src/sim/params.js'
import { failuresOf, runRange } from './harness/simRuns.js'

const LONG: SimOptions = { faults: 'all', ops: 200, deleteMode: 'reap' }

t.test('200 seeds with every fault (crashes, partitions, so fallbacks and handoff) pass', async (t) => {
  const results = await runRange(1001, 200, LONG)
  t.same(failuresOf(results), [], 'no seed fails')
  const faults = results.reduce((n, r) => n + r.faults, 0)
  const unknown = results.reduce((n, r) => n + r.history.ops.filter((o) => o.outcome === 'unknown').length, 0)
  t.ok(faults > 200 * 5, `faults were injected (${faults})`)
  t.ok(unknown > 0, `some operations ended unknown (${unknown}), so the faults bit`)
})

