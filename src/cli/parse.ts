/** Option values from the command line, checked with a one-line reason on failure. */
import { readFileSync } from 'node:fs'
import { isQuorumSpec, type QuorumSpec } from '../core/quorum.js'
import { usage } from './format.js'

export function quorumArg(name: string, v: string | undefined): QuorumSpec | undefined {
  if (v === undefined) return undefined
  const spec = /^\d+$/.test(v) ? Number(v) : v
  if (!isQuorumSpec(spec)) usage(`--${name} must be a number or one|quorum|all|default, got "${v}"`)
  return spec
}

export function intArg(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!/^\d+$/.test(v) || n < min || n > max) usage(`--${name} must be an integer in ${min}..${max}, got "${v}"`)
  return n
}

/** VALUE, or @path to read the value from a file. */
export function valueArg(v: string): Buffer {
  if (!v.startsWith('@')) return Buffer.from(v, 'utf8')
  try {
    return readFileSync(v.slice(1))
  } catch (e) {
    return usage(`cannot read ${v.slice(1)}: ${(e as Error).message}`)
  }
}

export function contextArg(v: string | undefined): Buffer | undefined {
  if (v === undefined) return undefined
  if (!/^[A-Za-z0-9+/=_-]+$/.test(v)) usage('--context must be the base64 context printed by kv get')
  return Buffer.from(v, 'base64')
}
