/** Protobuf bodies to plain objects and back, with one typed error for what does not decode. */
import { SpineError } from '../../shared/errors.js'
import { messageType, type MessageName } from './riakMessages.js'

/**
 * A body as a plain object holding only the fields present on the wire (so "absent" and "false"
 * differ, as Riak's options need). The shape is the descriptor's (riakMessages.ts); the caller
 * names the TypeScript interface that mirrors it, which protobufjs cannot infer.
 */
export function decodePb<T>(name: MessageName, body: Uint8Array): T {
  const type = messageType(name)
  try {
    return type.toObject(type.decode(body), { longs: Number, enums: Number, defaults: false }) as T
  } catch (e) {
    throw new SpineError('INVALID_ARGUMENT', `the body does not decode as ${name}: ${e instanceof Error ? e.message : String(e)}`, { message: name })
  }
}

export function encodePb(name: MessageName, value: object): Uint8Array {
  return messageType(name).encode(value).finish()
}
