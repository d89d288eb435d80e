// A loop of rounds: each starts one period after the previous one ended, the period read afresh
// each time (loops that visit every host lengthen it as hosts grow: core/pacing.ts). A round never
// overlaps the previous one; a failed round is reported and the next one still comes.
export function repeatRounds(opts: {
  readonly periodMs: () => number;
  readonly round: () => Promise<void>;
  readonly onError: (err: unknown) => void;
}): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = opts
        .round()
        .catch(opts.onError)
        .finally(() => {
          running = undefined;
          next();
        });
    }, opts.periodMs());
    timer.unref();
  };
  next();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
