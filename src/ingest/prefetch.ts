/**
 * Reading ahead across sessions: a Prefetch pulls the COPY chunks of several sources (the
 * sessions of a batch, in the order the batch will send them) into memory, one source after
 * the other, while the database is busy with something else (the merge of the batch before),
 * and stops once `budget` bytes are held. When the batch's COPY asks for a source, it
 * gets what was read ahead first, then reads the rest itself: the source then belongs to the
 * COPY, and the prefetch moves on to the next one. Every chunk is delivered once, in order,
 * whether the prefetch or the COPY read it; memory holds at most `budget` bytes besides the
 * chunk being sent.
 */

type Source = AsyncIterator<string | Buffer>;

interface Slot {
  source: Source;
  queue: (string | Buffer)[];
  done: boolean;
  /** Whether the COPY has taken the source over. */
  taken: boolean;
  /** The prefetch's pull in flight, if any. */
  pulling?: Promise<void>;
  /** What the source threw while the prefetch read it: thrown to the COPY in its turn. */
  error?: unknown;
}

export class Prefetch {
  private slots: Slot[] = [];
  private held = 0;
  private wake?: () => void;
  private stopped = false;

  constructor(private readonly budget: number) {}

  /** Adds a source; the returned iterable gives its chunks, read ahead or not. */
  add(rows: AsyncIterable<string | Buffer>): AsyncIterable<string | Buffer> {
    const slot: Slot = { source: rows[Symbol.asyncIterator](), queue: [], done: false, taken: false };
    this.slots.push(slot);
    return { [Symbol.asyncIterator]: () => this.consume(slot) };
  }

  /** Starts reading ahead (in the background; errors are left for the COPY to meet). */
  start(): void {
    void this.pump();
  }

  /** Stops reading ahead (what is held stays for the COPY). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async pump(): Promise<void> {
    for (const slot of this.slots) {
      while (!slot.done && !slot.taken && !this.stopped) {
        if (this.held >= this.budget) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        slot.pulling = slot.source.next().then(
          (r) => {
            if (r.done) slot.done = true;
            else {
              // As bytes: a chunk of COPY text is a string built piece by piece (a rope),
              // several times its length in memory until it is flattened.
              const bytes = typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
              slot.queue.push(bytes);
              this.held += bytes.length;
            }
          },
          (err: unknown) => {
            slot.error = err;
            slot.done = true;
          },
        );
        await slot.pulling;
        slot.pulling = undefined;
      }
      if (this.stopped) return;
    }
  }

  private async *consume(slot: Slot): AsyncGenerator<string | Buffer> {
    slot.taken = true;
    await slot.pulling;
    try {
      while (slot.queue.length > 0) {
        const chunk = slot.queue.shift()!;
        this.held -= chunk.length;
        this.wake?.();
        yield chunk;
      }
      if (slot.error !== undefined) throw slot.error instanceof Error ? slot.error : new Error(String(slot.error));
      while (!slot.done) {
        const r = await slot.source.next();
        if (r.done) break;
        yield r.value;
      }
    } finally {
      slot.done = true;
      this.held -= slot.queue.reduce((n, c) => n + c.length, 0);
      slot.queue = [];
      this.wake?.();
    }
  }
}
