/** Counters of one sync round; every number is measured. */
export interface SyncRoundStats {
  /** Publication windows the round planned (incremental + backfill not yet complete). */
  windows: number;
  /** Of those, complete when the round ended. */
  windowsComplete: number;
  /** Planned windows still incomplete when the round ended (failed pages, stop): the next round resumes them. */
  windowsRemaining: number;
  /** Pages stored: publication windows and `/atualizacao`. */
  pages: number;
  /** Of `pages`, the `/atualizacao` ones. */
  updatePages: number;
  /** Valid records stored (publication pages and `/atualizacao`). */
  records: number;
  /** `/atualizacao` records inserted / replaced by a newer version / already as new. */
  updatesInserted: number;
  updatesUpdated: number;
  updatesUnchanged: number;
  /** Records dropped because they did not validate. */
  invalid: number;
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Pages given up on this round (PNCP after retries, or the store); their windows stay partial. */
  failedPages: number;
  durationMs: number;
  /** 1 when the round was stopped before its plan was done (graceful stop, lease lost), else 0. */
  stopped: number;
}

/** All-zero stats. */
export function emptyRoundStats(): SyncRoundStats {
  return {
    windows: 0,
    windowsComplete: 0,
    windowsRemaining: 0,
    pages: 0,
    updatePages: 0,
    records: 0,
    updatesInserted: 0,
    updatesUpdated: 0,
    updatesUnchanged: 0,
    invalid: 0,
    requests: 0,
    retries: 0,
    failedPages: 0,
    durationMs: 0,
    stopped: 0,
  };
}
