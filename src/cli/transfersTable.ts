/**
 * `spinekv cluster transfers` as a table: one row per transfer, then one line per transfer whose
 * last attempt failed, with the reason in full (a table cell would be cut, or stretch every row).
 * `now` is the CLI's clock, for "retrying in Ns".
 */
import type { ClusterTransfers, TransferView } from '../client/types.js'
import { table } from './format.js'

export function transfersTable(t: ClusterTransfers, now: number): string {
  let out = ''
  if (t.transfers.length === 0) out += 'no transfers running or waiting\n'
  else {
    const rows = t.transfers.map((x) => [x.kind, x.partition, x.from, x.to, stateOf(x, now), `${x.itemsSent}/${x.itemsTotal || '?'}`, mib(x.bytesSent), x.state === 'running' ? `${x.rate}/s` : '', bar(x)])
    out += table(['kind', 'partition', 'from', 'to', 'state', 'items', 'sent', 'rate', 'progress'], rows) + '\n'
    for (const x of t.transfers) {
      if (x.lastError) out += `${x.kind} p${x.partition} ${x.from}->${x.to}: ${x.failures} failed attempt(s), last: ${x.lastError}\n`
    }
  }
  if (t.unreachable.length) out += `not answering: ${t.unreachable.join(', ')} (their handoffs are not shown)\n`
  return out
}

/** The state, with when a failed transfer is tried again. */
export function stateOf(x: TransferView, now: number): string {
  if (x.state !== 'retrying' || x.retryAt === null) return x.state
  return `retrying in ${Math.max(0, Math.round((x.retryAt - now) / 1000))}s`
}

/** A member running older code sends no bytesSent: show nothing rather than NaN. */
function mib(bytes: number | undefined): string {
  return !bytes ? '' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

/** A static bar for the one-shot table: 20 cells of the items sent so far. */
function bar(x: TransferView): string {
  if (x.state !== 'running' || x.itemsTotal === 0) return ''
  const cells = Math.min(20, Math.round((20 * x.itemsSent) / x.itemsTotal))
  return `[${'#'.repeat(cells)}${'.'.repeat(20 - cells)}]`
}
