import { SpineError } from '../../src/api/errors.js'

/** The error code a promise rejects with, or 'ok': lets a test assert a typed failure in one line. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    return e instanceof SpineError ? e.code : String(e)
  }
}
