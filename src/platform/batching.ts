import DataLoader from 'dataloader';

/**
 * Collects the calls made while the event loop handles one round of I/O and runs them as one
 * batch: one query for fifty concurrent requests instead of fifty. Nothing is cached between
 * batches, so a batch sees the database as it is (a revoked token fails at once).
 * `run` returns one result per input, in order, or an Error for that input alone.
 */
export function batched<In, Out>(run: (inputs: readonly In[]) => Promise<readonly (Out | Error)[]>, maxBatchSize = 500) {
  const loader = new DataLoader<In, Out>(run, {
    cache: false,
    maxBatchSize,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
  return (input: In): Promise<Out> => loader.load(input);
}
