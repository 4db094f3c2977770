/** A FIFO async mutex: the `queue-lock` fault holds one across every job's file saving. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private holders = 0;
  /** Times the lock was taken. */
  acquired = 0;
  /** Times a caller found the lock taken and had to wait. */
  contended = 0;
  /** Total time callers waited for the lock, ms. */
  waitedMs = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    if (this.holders++ > 0) this.contended++;
    const from = performance.now();
    await previous;
    this.waitedMs += performance.now() - from;
    this.acquired++;
    try {
      return await work();
    } finally {
      this.holders--;
      release();
    }
  }
}
