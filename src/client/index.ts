/** spinekv's embeddable client: `import { connect } from 'spinekv'`. */
export { connect, SpineClient } from './client.js'
export { SpineError, ERROR_CODES, type ErrorCode } from '../api/errors.js'
export type * from './types.js'
export type { QuorumSpec } from '../core/quorum.js'
