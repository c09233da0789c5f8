/**
 * Hands what is given during one turn of the event loop to `write` together, in the turn's check phase
 * (`setImmediate`), after the poll phase has read every request that was ready (ADR 0004).
 *
 * Each item is still written on its own socket; what changes is when. Written one at a time between
 * reads, each write on a busy host is likely to find its client asleep and pay for waking it (on a VM, an
 * interrupt across CPUs: the largest single cost of a call in `npm run bench`). Written together, the
 * first write wakes the client and the rest find it running, and its next requests arrive together too.
 * An item waits at most for the rest of its turn; alone in its turn, it is written right after the poll
 * phase.
 *
 * A `write` that throws is handed to `failed` with its target, and the other items are still written.
 */
export function turnBatch<Target, Item>(
  write: (target: Target, item: Item) => void,
  failed: (target: Target, error: unknown) => void,
): (target: Target, item: Item) => void {
  // Parallel arrays, reused: no object per item.
  const targets: Target[] = [];
  const items: Item[] = [];
  const flush = () => {
    // Items given while these are written wait for the next turn.
    const count = targets.length;
    for (let i = 0; i < count; i++) {
      const target = targets[i] as Target;
      try {
        write(target, items[i] as Item);
      } catch (error) {
        failed(target, error);
      }
    }
    targets.splice(0, count);
    items.splice(0, count);
    if (targets.length > 0) setImmediate(flush);
  };
  return (target, item) => {
    if (targets.push(target) === 1) setImmediate(flush);
    items.push(item);
  };
}
