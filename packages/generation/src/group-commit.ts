/**
 * Items written together: each write takes every item that arrived while the previous one ran
 * (a group commit), up to maxBatch. When a batch's write fails, its items are written one by one,
 * so one bad item fails alone and never takes the rest of its batch down with it.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<unknown>, options: { maxBatch: number }): (item: T) => Promise<void> {
  const queue: { item: T; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing = false;

  async function writeQueued() {
    while (queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const entry of batch) await write([entry.item]).then(entry.resolve, entry.reject);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!writing) {
        writing = true;
        // Items that arrive in the same turn of the event loop share the first write too.
        setImmediate(() => void writeQueued());
      }
    });
}
