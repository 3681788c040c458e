/**
 * Runs `fn` over `items` with at most `limit` calls in flight (at least one, whatever `limit` says); the results are
 * in input order. The first call that fails rejects the whole run with its error, and no item is started after it
 * (calls already in flight run to their end; their results and errors are dropped).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  if (Number.isNaN(limit)) throw new RangeError("mapLimit: the limit is not a number.");
  const out = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
