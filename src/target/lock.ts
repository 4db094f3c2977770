/**
 * A FIFO async mutex: the `queue-lock` fault holds one while an upload is saved and while a
 * worker handles its job's files (from reading the upload to saving the result).
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;
  /** Times the lock was taken. */
  acquired = 0;
  /** Times a caller found the lock taken and had to wait. */
  contended = 0;
  /** Total time callers waited for the lock, ms. */
  waitedMs = 0;

  /** Runs `work` holding the lock; `work` is told how long it waited for it, ms. */
  async run<T>(work: (waitedMs: number) => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    if (this.holders++ > 0) this.contended++;
    const from = performance.now();
    await previous;
    const waited = performance.now() - from;
    this.waitedMs += waited;
    this.acquired++;
    try {
      return await work(waited);
    } finally {
      this.holders--;
      release();
    }
  }
}
