/**
 * A cheap bound on how many keys this node holds for partitions it does not own. Each hinted
 * write adds one (an update of a key already held over-counts, which only errs towards refusing
 * early); the handoff manager's periodic recount replaces the estimate with the truth.
 */
import { SpineError } from '../../shared/errors.js'

export class HintedCount {
  private estimate = 0

  constructor(private readonly maxKeys: number) {}

  get value(): number {
    return this.estimate
  }

  /** Before a write to a partition this node does not own. */
  checkRoom(): void {
    if (this.estimate >= this.maxKeys) {
      throw new SpineError('HINTED_STORE_FULL', `this node holds ${this.estimate} hinted keys`, { keys: this.estimate, max: this.maxKeys })
    }
  }

  noteWrite(): void {
    this.estimate++
  }

  recounted(keys: number): void {
    this.estimate = keys
  }
}
