/** The bench's CPU meter reads the kernel's accounting of real processes, and divides by the operations. */
import t from 'tap'
import { spawn } from 'node:child_process'
import { CpuMeter, processCpuSeconds } from '../bench/harness/cpuMeter.js'

const spin = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end);
}

t.test('a busy child process is metered; a missing one is counted unreadable', async (t) => {
  const child = spawn(process.execPath, ['-e', 'const e = Date.now() + 3000; while (Date.now() < e);'])
  t.teardown(() => child.kill('SIGKILL'))
  await new Promise((r) => setTimeout(r, 200))
  const meter = new CpuMeter([child.pid!, 2 ** 22 + 12345])
  meter.start()
  spin(300)
  await new Promise((r) => setTimeout(r, 700))
  const use = meter.stop(1000)!
  t.ok(use.nodesS >= 0.05 && use.nodesS <= 1.5, `busy child used ${use.nodesS} s of CPU in ~1 s`)
  t.ok(use.harnessS >= 0.05, `this process used ${use.harnessS} s`)
  t.equal(use.unreadable, 1, 'the pid that does not exist')
  t.ok(Math.abs(use.nodesUsPerOp - use.nodesS * 1000) < 1e-6, 'per op: seconds × 1e6 / 1000 ops')
})

t.test('this process reads its own CPU; no start, no result', async (t) => {
  const before = processCpuSeconds(process.pid)
  t.type(before, 'number')
  spin(200)
  t.ok(processCpuSeconds(process.pid)! > before!, 'CPU time grows while busy')
  t.equal(new CpuMeter([]).stop(10), undefined)
})
