/** The Redis baseline's own small client: slots as Redis computes them, RESP split anywhere. */
import { createServer, type AddressInfo } from 'node:net'
import t from 'tap'
import { crc16, keySlot } from '../bench/harness/baselines/redisSlot.js'
import { encodeCommand, RespConnection, RespError, RespParser } from '../bench/harness/baselines/resp.js'

t.test('CRC16 and key slots match Redis', async (t) => {
  t.equal(crc16(Buffer.from('123456789')), 0x31c3, 'the XMODEM check value')
  t.equal(keySlot('foo'), 12182) // CLUSTER KEYSLOT foo
  t.equal(keySlot('{user1000}.following'), keySlot('user1000'), 'hash tag')
  t.equal(keySlot('foo{}{bar}'), keySlot('foo{}{bar}'.slice(0)), 'an empty tag hashes the whole key')
  t.not(keySlot('foo{}{bar}'), keySlot('bar'))
})

t.test('RESP: every reply type, split at every byte', async (t) => {
  const wire = Buffer.from('+OK\r\n-MOVED 3999 127.0.0.1:6381\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:7\r\n$0\r\n\r\n')
  for (let cut = 0; cut <= wire.length; cut++) {
    const p = new RespParser()
    const out = [...p.push(wire.subarray(0, cut)), ...p.push(wire.subarray(cut))]
    t.equal(out.length, 7, `cut at ${cut}`)
    if (cut === 17) {
      t.equal(out[0], 'OK')
      t.ok(out[1] instanceof RespError && out[1].code === 'MOVED')
      t.equal(out[2], 42)
      t.same(out[3], Buffer.from('hello'))
      t.equal(out[4], null)
      t.same(out[5], [Buffer.from('a'), [7]])
      t.same(out[6], Buffer.alloc(0))
    }
  }
  t.same(encodeCommand(['SET', 'k', Buffer.from('v')]), Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n'))
})

t.test('a pipelined connection answers each request in order', async (t) => {
  // A toy server: echoes each command's last argument as a bulk string, an error for "fail".
  const server = createServer((s) => {
    const p = new RespParser()
    s.on('data', (chunk: Buffer) => {
      for (const cmd of p.push(chunk) as Buffer[][]) {
        const last = cmd[cmd.length - 1]!
        s.write(last.toString() === 'fail' ? '-ERR nope\r\n' : Buffer.concat([Buffer.from(`$${last.length}\r\n`), last, Buffer.from('\r\n')]))
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const conn = await RespConnection.open('127.0.0.1', (server.address() as AddressInfo).port)
  const replies = await Promise.allSettled(Array.from({ length: 500 }, (_, i) => conn.send(['ECHO', i === 250 ? 'fail' : `v${i}`])))
  t.equal(replies.filter((r) => r.status === 'rejected').length, 1)
  t.same((replies[499] as PromiseFulfilledResult<Buffer>).value, Buffer.from('v499'))
  t.equal(((replies[250] as PromiseRejectedResult).reason as RespError).code, 'ERR')
  conn.close()
  server.close()
})
