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

/**
 * Thrown by a batch that found one of its unique keys (an Idempotency-Key) taken by a transaction
 * that committed while it ran: the batch rolls back and its jobs are run again one by one, each of
 * which then sees the winner.
 */
export class BatchConflict extends Error {}

/** Runs `run` on the whole batch; after a BatchConflict, on each job alone (a few tries each). */
export async function oneByOneOnConflict<J, R>(
  jobs: readonly J[],
  run: (jobs: readonly J[]) => Promise<readonly (R | Error)[]>,
): Promise<readonly (R | Error)[]> {
  try {
    return await run(jobs);
  } catch (err) {
    if (!(err instanceof BatchConflict)) throw err;
  }
  const out: (R | Error)[] = [];
  for (const job of jobs) {
    let result: R | Error | undefined;
    for (let attempt = 0; result === undefined; attempt++) {
      try {
        result = (await run([job]))[0]!;
      } catch (err) {
        if (!(err instanceof BatchConflict) || attempt >= 3) result = err instanceof Error ? err : new Error(String(err));
      }
    }
    out.push(result);
  }
  return out;
}
