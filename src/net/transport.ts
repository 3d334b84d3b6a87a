/**
 * Node-to-node messaging. The TCP implementation and the simulator's network both implement this,
 * so vnode and coordinator code never knows which one it runs over.
 */

export type NodeName = string

/** Any msgpack-encodable value. */
export type Payload = unknown

export type RequestHandler = (from: NodeName, body: Payload) => Promise<Payload>

export interface Transport {
  /** This node's name, as the other members know it. */
  readonly self: NodeName
  /**
   * Send a request and wait for its reply. Rejects with a SpineError of code TIMEOUT after
   * timeoutMs, or UNREACHABLE when no connection to the peer can be made. A request to self is
   * delivered locally without a socket.
   */
  request(to: NodeName, body: Payload, timeoutMs: number): Promise<Payload>
  /** Install the handler for requests from peers (one per transport). */
  serve(handler: RequestHandler): void
  close(): Promise<void>
}
