import { SpineError } from '../../src/shared/errors.js'

/** The error code a promise rejects with, or 'ok': lets a test assert a typed failure in one line. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    return e instanceof SpineError ? e.code : String(e)
  }
}

/** The SpineError a promise rejects with; fails the test if it resolves or throws something else. */
export async function rejection(p: Promise<unknown>): Promise<SpineError> {
  try {
    await p
  } catch (e) {
    if (e instanceof SpineError) return e
    throw e
  }
  throw new Error('expected a rejection')
}
