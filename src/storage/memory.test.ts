import t from 'tap'
import { backendConformance } from './backend.conformance.js'
import { MemoryBackend } from './memory.js'

// MemoryBackend keeps its data across close()/open() of one instance (a simulated restart), so the
// persistence test applies to it as well.
backendConformance(
  t,
  'memory',
  async () => {
    const backend = new MemoryBackend()
    return { backend, cleanup: () => backend.close() }
  },
  true,
)
