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

/**
 * Like `batched`, but with at most `concurrency` batches in flight per key: what arrives while they
 * run waits and goes in the next batch together. Work that contends for one row (a campaign's stock)
 * then takes the row's lock once per batch in each process, instead of one short batch per turn of the
 * event loop queueing behind the others (and holding a database connection each while it waits).
 * Only scheduling: correctness stays with the database's locks.
 */
export function serialBatched<In, Out>(
  keyOf: (input: In) => string,
  run: (inputs: readonly In[]) => Promise<readonly (Out | Error)[]>,
  options: { maxBatchSize?: number; concurrency?: number } = {},
) {
  const max = options.maxBatchSize ?? 500;
  const width = options.concurrency ?? 1;
  interface Waiting {
    input: In;
    resolve: (out: Out) => void;
    reject: (err: unknown) => void;
  }
  const lanes = new Map<string, { waiting: Waiting[]; running: number }>();

  async function drain(key: string): Promise<void> {
    const lane = lanes.get(key)!;
    while (lane.waiting.length > 0) {
      const batch = lane.waiting.splice(0, max);
      try {
        const outs = await run(batch.map((w) => w.input));
        batch.forEach((w, i) => {
          const out = outs[i];
          if (out instanceof Error) w.reject(out);
          else w.resolve(out as Out);
        });
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    lane.running--;
    if (lane.running === 0 && lane.waiting.length === 0) lanes.delete(key);
  }

  return (input: In): Promise<Out> =>
    new Promise<Out>((resolve, reject) => {
      const key = keyOf(input);
      let lane = lanes.get(key);
      if (!lane) {
        lane = { waiting: [], running: 0 };
        lanes.set(key, lane);
      }
      lane.waiting.push({ input, resolve, reject });
      if (lane.running < width) {
        lane.running++;
        // The rest of this turn's arrivals join the first batch.
        setImmediate(() => void drain(key));
      }
    });
}
