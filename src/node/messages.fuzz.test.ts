/**
 * Fuzzing the cluster port's request parser: what a peer (or anyone who reaches the port) sends,
 * as random and mutated frames and as valid requests with one part replaced at any depth. Each
 * parses or is refused with a typed error (INVALID_ARGUMENT, UNKNOWN_OPERATION).
 */
import fc from 'fast-check'
import t from 'tap'
import { decodeBody, encodeFrame, HEADER_BYTES } from '../net/frame.js'
import { SpineError } from '../shared/errors.js'
import { decodesOrTyped, fuzz, hostileBytes, mutatedValue } from '../../test/harness/fuzz.js'
import { clusterRequest } from '../../test/harness/fuzzSamples.js'
import { parseClusterRequest } from './messages.js'

const wire = clusterRequest.map((r) => encodeFrame(r).subarray(HEADER_BYTES))

t.test('valid requests parse', async (t) => {
  fuzz(t, 1, clusterRequest, (r) => {
    parseClusterRequest(decodeBody(encodeFrame(r).subarray(HEADER_BYTES)))
  })
})

t.test('hostile frame bodies: a request or a typed error', async (t) => {
  fuzz(t, 2, hostileBytes(wire), (bytes) => {
    decodesOrTyped(() => parseClusterRequest(decodeBody(bytes)))
  })
})

t.test('valid requests with one part replaced by any wire value: a request or a typed error', async (t) => {
  fuzz(t, 3, mutatedValue(clusterRequest), (v) => {
    decodesOrTyped(() => parseClusterRequest(v))
  }, 2_000)
})

t.test('the codes are the bad-input ones', async (t) => {
  fuzz(t, 4, mutatedValue(clusterRequest), (v) => {
    try {
      parseClusterRequest(v)
    } catch (e) {
      const code = e instanceof SpineError ? e.code : 'untyped'
      if (code !== 'INVALID_ARGUMENT' && code !== 'UNKNOWN_OPERATION') throw new Error(`parse failed with ${code}`)
    }
  })
})

t.test('regression: a ring change kind or member status that is a map with a toString key is INVALID_ARGUMENT', async (t) => {
  const kind = { op: 'ringCmd', cmd: { cmd: 'stage', change: { kind: { toString: 1 }, node: 'n1' } } }
  t.throws(() => parseClusterRequest(kind), { code: 'INVALID_ARGUMENT' })
  const ring = { q: 1, n: 1, version: 1, members: [{ name: 'n1', host: 'h', port: 1, status: { toString: 1 } }], owners: ['n1'], next: [], staged: [] }
  t.throws(() => parseClusterRequest({ op: 'ringGossip', ring }), { code: 'INVALID_ARGUMENT' })
  // Through the frame decoder, as a peer's bytes would arrive.
  t.throws(() => parseClusterRequest(decodeBody(encodeFrame(kind).subarray(HEADER_BYTES))), { code: 'INVALID_ARGUMENT' })
})
