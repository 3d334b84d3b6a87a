/** report.json (everything the checker found) and report.md (the same for a reader), in the run directory. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Verdict } from './checker.js'
import type { FaultRecord, RunInfo } from './history.js'

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const opt = (ms: number | null) => (ms === null ? 'not before the next fault' : s(ms))

export function writeReports(dir: string, run: RunInfo, faults: readonly FaultRecord[], v: Verdict): void {
  writeFileSync(join(dir, 'report.json'), JSON.stringify({ run, faults, verdict: v }, null, 2) + '\n')
  writeFileSync(join(dir, 'report.md'), reportMarkdown(run, faults, v))
}

/** The figures a closing note quotes, one per line. */
export function summaryLines(run: RunInfo, v: Verdict): string[] {
  const t = v.ops.byType
  const recov = v.recoveries.map((r) => r.allNodesMs).filter((x): x is number => x !== null)
  return [
    `verdict: ${v.valid ? 'valid' : 'INVALID'} (${v.lost.count} acknowledged adds lost of ${v.acknowledgedAdds}; ${v.keysUnchecked.length} keys unchecked)`,
    `operations: ${v.ops.total - t.final.ok - t.final.fail - t.final.timeout} in ${s(run.end - run.start)} — adds ${t.add.ok} ok / ${t.add.fail} fail / ${t.add.timeout} timeout; reads ${t.read.ok} / ${t.read.fail} / ${t.read.timeout}`,
    `faults: ${Object.entries(v.faultsByKind).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    `stale reads: ${v.stale.count} of ${v.stale.ofReads} (${v.stale.missingElements} acknowledged elements missed)`,
    `unacknowledged adds present at the end: ${v.unacknowledgedPresent}; absent: ${v.unacknowledgedAbsent}`,
    `final reads converged: ${v.finalConverged ? 'yes' : 'no'} (${v.finalElements} elements in ${run.keys.length} sets)`,
    `longest unavailability: ${s(v.unavailability.longestMs)} (${v.unavailability.windows.length} windows of >= 1 s, ${s(v.unavailability.totalMs)} in all)`,
    `recovery after heal (every node ok again): ${recov.length ? `median ${s(median(recov))}, max ${s(Math.max(...recov))}` : 'none measured'}; not recovered before the next fault: ${v.recoveries.length - recov.length}`,
  ]
}

function median(xs: readonly number[]): number {
  const a = [...xs].sort((x, y) => x - y)
  const mid = Math.floor(a.length / 2)
  return a.length % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2
}

function reportMarkdown(run: RunInfo, faults: readonly FaultRecord[], v: Verdict): string {
  const rel = (t: number) => `+${((t - run.start) / 1000).toFixed(1)}`
  const out: string[] = []
  out.push(`# Fault run, seed ${run.seed}`, '')
  out.push(`${run.nodes.length} nodes (${run.nodes.join(', ')}), ${run.clients} clients at up to ${run.ratePerClient} ops/s each, ${run.keys.length} set keys, ${Math.round(run.readFraction * 100)}% reads.`)
  out.push(`Command: \`${run.command}\``, '')
  out.push('![availability over time](availability.svg)', '')
  out.push('## Summary', '', ...summaryLines(run, v).map((l) => `- ${l}`), '')
  out.push('## Faults', '', '| # | kind | what | start (s) | end (s) | lasted | recovery: first node | every node |', '|---|---|---|---|---|---|---|---|')
  v.recoveries.forEach((r, i) => {
    const f = faults.find((x) => x.end === r.healedAt && x.what === r.fault)!
    out.push(`| ${i + 1} | ${r.kind} | ${r.fault} | ${rel(f.start)} | ${rel(f.end)} | ${s(f.end - f.start)} | ${opt(r.firstAnyMs)} | ${opt(r.allNodesMs)} |`)
  })
  out.push('', 'Recovery is from the heal (for a kill: the restart) to the first operation sent after it that succeeded, on each node.', '')
  out.push('## Unavailability windows (no successful operation anywhere)', '')
  if (v.unavailability.windows.length === 0) out.push('None of 1 s or more.')
  else {
    out.push('| start (s) | lasted | during |', '|---|---|---|')
    for (const w of v.unavailability.windows) out.push(`| ${rel(w.start)} | ${s(w.ms)} | ${w.during.join('; ') || 'no fault'} |`)
  }
  out.push('', `Longest gap per node: ${Object.entries(v.perNodeLongestGapMs).map(([n, ms]) => `${n} ${s(ms)}`).join(', ')}.`, '')
  out.push('## Lost acknowledged adds', '')
  if (v.lost.count === 0) out.push('None.')
  else {
    out.push('| key | element | via | acknowledged at (s) |', '|---|---|---|---|')
    for (const l of v.lost.samples) out.push(`| ${l.key} | ${l.value} | ${l.node} | ${rel(l.acknowledgedAt)} |`)
  }
  if (v.keysUnchecked.length) out.push('', `Keys with no successful final read (not checked): ${v.keysUnchecked.join(', ')}.`)
  out.push('', '## Stale reads', '')
  if (v.stale.count === 0) out.push('None.')
  else {
    out.push('A read that missed an element whose add was acknowledged before the read began.', '', '| read | key | via | at (s) | missed | e.g. | during |', '|---|---|---|---|---|---|---|')
    for (const r of v.stale.samples) out.push(`| ${r.id} | ${r.key} | ${r.node} | ${rel(r.invoke)} | ${r.missing} | ${r.example} | ${r.during ?? 'no fault'} |`)
  }
  out.push('')
  return out.join('\n')
}
