/** Static membership as an operator writes it: "n1@127.0.0.1:8710,n2@127.0.0.1:8720". */
import { SpineError } from '../shared/errors.js'

export interface MemberAddress {
  name: string
  host: string
  port: number
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

export function parseMembers(spec: string): MemberAddress[] {
  const out = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseMember)
  const names = new Set(out.map((m) => m.name))
  if (names.size !== out.length) throw new SpineError('INVALID_ARGUMENT', 'member names must be unique')
  return out
}

function parseMember(s: string): MemberAddress {
  const m = /^([^@]+)@(.+):(\d+)$/.exec(s)
  if (!m || !NAME.test(m[1]!)) {
    throw new SpineError('INVALID_ARGUMENT', `member "${s}" is not NAME@HOST:CLUSTER_PORT`)
  }
  const port = Number(m[3])
  if (port < 1 || port > 65535) throw new SpineError('INVALID_ARGUMENT', `member "${s}" has a bad port`)
  return { name: m[1]!, host: m[2]!, port }
}

export function isNodeName(s: string): boolean {
  return NAME.test(s)
}
