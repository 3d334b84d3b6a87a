/**
 * CPU time over the measured window, from the kernel's own accounting: /proc/PID/stat for the
 * node processes (every thread, so LevelDB's thread-pool work counts too, which a main-thread
 * profile misses) and process.cpuUsage() for the harness. Divided by the operations answered in
 * the window, it is the "CPU per quorum op" of issue 13, comparable across runs on one machine.
 */
import { readFileSync } from 'node:fs'

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every Linux build we run on). */
const TICKS_PER_SECOND = 100

export interface CpuUse {
  /** CPU seconds of the node processes over the window (all threads, user + system). */
  nodesS: number
  /** CPU seconds of the harness process (client library, workload, recorder). */
  harnessS: number
  /** Node-process CPU per operation answered, in microseconds. */
  nodesUsPerOp: number
  harnessUsPerOp: number
  /** Node processes that could not be read at both ends (exited, or no /proc here). */
  unreadable: number
}

/** utime + stime of one process in seconds, or undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined
  return (utime + stime) / TICKS_PER_SECOND
}

interface Sample {
  nodes: Array<number | undefined>
  harness: number
}

function sample(pids: readonly number[]): Sample {
  const u = process.cpuUsage()
  return { nodes: pids.map(processCpuSeconds), harness: (u.user + u.system) / 1e6 }
}

/** Starts metering when start() is called and reports the use since then on stop(ops). */
export class CpuMeter {
  private first: Sample | undefined

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.first = sample(this.pids)
  }

  /** Undefined when start() never ran (the run ended inside its warm-up). */
  stop(ops: number): CpuUse | undefined {
    const a = this.first
    if (a === undefined) return undefined
    const b = sample(this.pids)
    let nodesS = 0
    let unreadable = 0
    this.pids.forEach((_, i) => {
      const before = a.nodes[i]
      const after = b.nodes[i]
      if (before === undefined || after === undefined) unreadable++
      else nodesS += after - before
    })
    const harnessS = b.harness - a.harness
    const perOp = (s: number): number => (ops > 0 ? (s * 1e6) / ops : 0)
    return { nodesS, harnessS, nodesUsPerOp: perOp(nodesS), harnessUsPerOp: perOp(harnessS), unreadable }
  }
}
