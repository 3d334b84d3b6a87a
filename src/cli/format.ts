/** Output helpers: readable tables for people, JSON for scripts, one-line errors with exit codes. */
import { ERROR_CODES, SpineError, toSpineError } from '../shared/errors.js'

export function table(headers: string[], rows: Array<Array<string | number | boolean>>): string {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}

export function printJson(v: unknown): void {
  process.stdout.write(JSON.stringify(v, null, 2) + '\n')
}

/** One line on stderr and the code's exit status (3 for not found, 1 for anything else). */
export function fail(e: unknown): never {
  const err = toSpineError(e)
  const data = Object.keys(err.data).length ? ` ${JSON.stringify(err.data)}` : ''
  process.stderr.write(`spinekv: ${err.code}: ${err.message}${data}\n`)
  process.exit(ERROR_CODES[err.code].exit)
}

export function usage(message: string): never {
  return fail(new SpineError('INVALID_ARGUMENT', message))
}
