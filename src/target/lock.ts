/** A FIFO async mutex: the `queue-lock` fault holds one across every job's file saving. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  waits = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise((resolve) => (release = resolve));
    this.waits++;
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
