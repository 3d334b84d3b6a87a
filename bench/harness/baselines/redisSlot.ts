/** Redis Cluster's key → slot: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384. */

const TABLE = (() => {
  const t = new Uint16Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i << 8
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff
    t[i] = c
  }
  return t
})()

export function crc16(data: Buffer): number {
  let crc = 0
  for (const byte of data) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!
  return crc
}

export const SLOTS = 16384

export function keySlot(key: string | Buffer): number {
  let k = Buffer.isBuffer(key) ? key : Buffer.from(key)
  const open = k.indexOf('{')
  if (open >= 0) {
    const close = k.indexOf('}', open + 1)
    // Only a non-empty tag counts ("{}" hashes the whole key), as in Redis.
    if (close > open + 1) k = k.subarray(open + 1, close)
  }
  return crc16(k) % SLOTS
}
