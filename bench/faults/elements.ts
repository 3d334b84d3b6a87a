/**
 * Set elements and their compact form in the history. Each add puts one unique element
 * "CLIENT:SEQ" into a set; a read of a set holding thousands of them is recorded per client as
 * sequence ranges ("0-41,43-97"), which keeps history.jsonl small without losing what was seen.
 */

export function element(client: number, seq: number): string {
  return `${client}:${seq}`
}

/** Per client, its sequence numbers as ranges; anything not of the form CLIENT:SEQ kept as it is. */
export interface EncodedSet {
  ranges: Record<string, string>
  other?: string[]
}

export function encodeSet(elements: Iterable<string>): EncodedSet {
  const byClient = new Map<string, number[]>()
  const other: string[] = []
  for (const e of elements) {
    const m = /^(\d+):(\d+)$/.exec(e)
    if (!m) {
      other.push(e)
      continue
    }
    const seqs = byClient.get(m[1]!) ?? []
    seqs.push(Number(m[2]))
    byClient.set(m[1]!, seqs)
  }
  const ranges: Record<string, string> = {}
  for (const [client, seqs] of [...byClient].sort((a, b) => Number(a[0]) - Number(b[0]))) ranges[client] = toRanges(seqs)
  return other.length ? { ranges, other: other.sort() } : { ranges }
}

export function decodeSet(enc: EncodedSet | undefined): Set<string> {
  const out = new Set<string>()
  if (!enc) return out
  for (const [client, text] of Object.entries(enc.ranges)) {
    for (const part of text.split(',')) {
      if (part === '') continue
      const [lo, hi] = part.split('-').map(Number) as [number, number | undefined]
      for (let s = lo; s <= (hi ?? lo); s++) out.add(element(Number(client), s))
    }
  }
  for (const e of enc.other ?? []) out.add(e)
  return out
}

function toRanges(seqs: number[]): string {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b)
  const parts: string[] = []
  let i = 0
  while (i < sorted.length) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`)
    i = j + 1
  }
  return parts.join(',')
}

/** A stored set value (a JSON array of strings); anything else reads as empty rather than failing the run. */
export function parseSetValue(value: Buffer | undefined): string[] {
  if (!value || value.length === 0) return []
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'))
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
