/** Ring commands as they travel to the claimant, and their checking on arrival. */
import { SpineError } from '../shared/errors.js'
import type { Member, PendingMove, StagedChange } from '../core/clusterRing.js'
import { isNodeName } from './members.js'
import { wireText } from '../shared/wireText.js'

export type RingCommand =
  | { cmd: 'join'; member: Omit<Member, 'status'> }
  | { cmd: 'stage'; change: Exclude<StagedChange, { kind: 'join' }> }
  | { cmd: 'clear' }
  | { cmd: 'plan' }
  | { cmd: 'commit' }
  | { cmd: 'moveDone'; move: PendingMove }
  | { cmd: 'exited'; node: string }

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function bad(what: string): never {
  throw new SpineError('INVALID_ARGUMENT', `ring command: ${what}`)
}

function name(v: unknown, what: string): string {
  return typeof v === 'string' && isNodeName(v) ? v : bad(`${what} must be a node name`)
}

export function parseRingCommand(v: unknown): RingCommand {
  if (!isRecord(v) || typeof v.cmd !== 'string') bad('not a command')
  switch (v.cmd) {
    case 'join': {
      const m = isRecord(v.member) ? v.member : bad('join needs a member')
      const port = typeof m.port === 'number' && Number.isInteger(m.port) && m.port > 0 && m.port < 65536 ? m.port : bad('bad port')
      return { cmd: 'join', member: { name: name(m.name, 'member'), host: typeof m.host === 'string' && m.host ? m.host : bad('bad host'), port } }
    }
    case 'stage': {
      const c = isRecord(v.change) ? v.change : bad('stage needs a change')
      if (c.kind === 'replace') return { cmd: 'stage', change: { kind: 'replace', node: name(c.node, 'node'), by: name(c.by, 'by') } }
      if (c.kind === 'leave' || c.kind === 'force-remove') return { cmd: 'stage', change: { kind: c.kind, node: name(c.node, 'node') } }
      return bad(`unknown change ${wireText(c.kind)}`)
    }
    case 'clear':
    case 'plan':
    case 'commit':
      return { cmd: v.cmd }
    case 'moveDone': {
      const m = isRecord(v.move) ? v.move : bad('moveDone needs a move')
      const p = typeof m.partition === 'number' && Number.isInteger(m.partition) && m.partition >= 0 ? m.partition : bad('bad partition')
      return { cmd: 'moveDone', move: { partition: p, from: name(m.from, 'from'), to: name(m.to, 'to') } }
    }
    case 'exited':
      return { cmd: 'exited', node: name(v.node, 'node') }
    default:
      return bad(`unknown command ${JSON.stringify(v.cmd)}`)
  }
}
