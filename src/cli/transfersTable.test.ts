import t from 'tap'
import type { TransferView } from '../client/types.js'
import { transfersTable } from './transfersTable.js'

const base: TransferView = {
  kind: 'hinted', partition: 7, from: 'n3', to: 'n2', state: 'running', itemsSent: 12, itemsTotal: 20, bytesSent: 12 * 1024 * 1024,
  rate: 6, startedAt: 0, lastError: null, failures: 0, retryAt: null,
}

t.test('cluster transfers: progress in items and bytes, and why a transfer is not progressing', async (t) => {
  const now = 1_000_000
  const failing: TransferView = {
    ...base, partition: 1, from: 'n1', state: 'retrying', itemsSent: 0, bytesSent: 0, rate: 0, startedAt: null,
    lastError: 'TIMEOUT: batch of 4 objects (4194900 bytes) of partition 1 to n2: no reply within 30000 ms', failures: 3, retryAt: now + 4_000,
  }
  const out = transfersTable({ node: 'n1', transfers: [base, failing], unreachable: [] }, now)
  t.match(out, /^hinted\s+7\s+n3\s+n2\s+running\s+12\/20\s+12\.0 MiB\s+6\/s\s+\[#{12}\.{8}\]$/m, 'a running transfer with its bytes')
  t.match(out, /^hinted\s+1\s+n1\s+n2\s+retrying in 4s\s+0\/20\s*$/m, 'a failed one, with when it is tried again')
  t.match(out, /^hinted p1 n1->n2: 3 failed attempt\(s\), last: TIMEOUT: batch of 4 objects \(4194900 bytes\) of partition 1 to n2: no reply within 30000 ms$/m, 'and why, in full')
  t.notMatch(out, /p7 n3->n2:/, 'no reason line for a transfer that has not failed')
  t.equal(transfersTable({ node: 'n1', transfers: [], unreachable: ['n4'] }, now), 'no transfers running or waiting\nnot answering: n4 (their handoffs are not shown)\n')
})
