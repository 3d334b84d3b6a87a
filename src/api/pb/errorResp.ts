/**
 * What an RpbErrorResp says. Riak's own words where clients know them (`modified`, `match_found`,
 * `notfound`, `timeout`, `overload`, `{r_val_unsatisfied,R,Got}` ...), then spinekv's registry
 * code and message, so a person reading the error learns what to do and a program can still
 * match on the code (docs/api.md lists them). errcode is 0, as Riak sends.
 */
import { toSpineError, type SpineError } from '../../shared/errors.js'

const QUORUM_TERMS: Record<string, string> = {
  R_UNSATISFIED: 'r_val_unsatisfied',
  PR_UNSATISFIED: 'pr_val_unsatisfied',
  W_UNSATISFIED: 'w_val_unsatisfied',
  DW_UNSATISFIED: 'dw_val_unsatisfied',
  PW_UNSATISFIED: 'pw_val_unsatisfied',
  NODE_CONFIRMS_UNSATISFIED: 'node_confirms_val_unsatisfied',
}

function riakTerm(e: SpineError): string | undefined {
  const quorum = QUORUM_TERMS[e.code]
  if (quorum !== undefined) return `{${quorum},${String(e.data.required)},${String(e.data.received)}}`
  if (e.code === 'TIMEOUT') return 'timeout'
  if (e.code === 'OVERLOADED') return 'overload'
  return undefined
}

/** Text sent exactly as Riak sends it (a client compares it), carried in SpineError.data.riak. */
export function errorText(err: unknown): string {
  const e = toSpineError(err)
  if (typeof e.data.riak === 'string') return e.data.riak
  const term = riakTerm(e)
  return term === undefined ? `${e.code}: ${e.message}` : `${term} ${e.code}: ${e.message}`
}

export const ERRCODE_GENERAL = 0
