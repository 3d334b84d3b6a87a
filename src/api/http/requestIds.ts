/**
 * PDS's request headers (specification/components/schemas/XRequestID.yaml, XCorrelationId.yaml):
 * X-Request-ID is required on every request, a UUID, and mirrored back; X-Correlation-ID is
 * optional and mirrored back when sent. The errors are PDS's own (its sandbox and karate tests):
 * missing → MISSING_VALUE, present but not a UUID (the empty string included) → INVALID_VALUE.
 */
import type { FastifyRequest } from 'fastify'
import { fail, ok, patientError, type Result } from '../../patient/errors.js'

/** XRequestID.yaml's pattern: any version of UUID, either case. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** Characters of a malformed id quoted back in the diagnostics; the header itself may be up to Node's 16 KiB. */
const SHOWN = 64

/** One header's value as sent; a repeated header is joined as Node joins it, and so is refused as not a UUID. */
function headerOf(req: FastifyRequest, name: string): string | undefined {
  const h = req.headers[name]
  return Array.isArray(h) ? h.join(', ') : h
}

/** The request's X-Request-ID, or PDS's error for a missing or malformed one. */
export function requestIdOf(req: FastifyRequest): Result<string> {
  const id = headerOf(req, 'x-request-id')
  if (id === undefined) {
    return fail(patientError('MISSING_VALUE', 'Invalid request with error - X-Request-ID header must be supplied to access this resource', { parameter: 'X-Request-ID' }))
  }
  if (!UUID.test(id)) {
    const shown = id.length > SHOWN ? `${id.slice(0, SHOWN - 3)}...` : id
    return fail(patientError('INVALID_VALUE', `Invalid value - '${shown}' in header 'X-Request-ID'`, { parameter: 'X-Request-ID' }))
  }
  return ok(id)
}

/**
 * The headers a Patient reply mirrors: X-Request-ID and X-Correlation-ID as sent, whatever their
 * form (PDS mirrors a malformed request id on the 400 that refuses it, so the caller can match them up).
 */
export function mirroredHeaders(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {}
  const requestId = headerOf(req, 'x-request-id')
  const correlationId = headerOf(req, 'x-correlation-id')
  if (requestId !== undefined) out['x-request-id'] = requestId
  if (correlationId !== undefined) out['x-correlation-id'] = correlationId
  return out
}
