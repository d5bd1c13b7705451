// Where a subgraph's change log stands, answered without SQL while nothing changes. Pollers ask
// it often (gateways' response caches, the search index's follower); reading the log for each
// would load every fact service all the time for nothing. A trigger on the log NOTIFYs at each
// commit that wrote to it (migration change_log_notify), and the service reads the log again only
// after one, or while it cannot hear them.

/** The channel the `Change` table's trigger notifies on commit. */
export const CHANGE_LOG_CHANNEL = 'newsfacts_change_log';

/**
 * The sum of the newest thousand sequence numbers, not only the largest: a transaction that took
 * a lower number but commits after higher ones still changes it. " held" is appended while one of
 * them is not in the feed yet (an older transaction is still running, see change-feed.ts): when
 * that transaction ends no notification comes, so the signal is read again until then, and it
 * changes when the entries come out.
 */
export const CHANGE_LOG_SIGNAL_SQL = `SELECT coalesce(sum(seq), 0)::text
    || CASE WHEN coalesce(bool_or(txid >= pg_snapshot_xmin(pg_current_snapshot())), false) THEN ' held' ELSE '' END AS signal
  FROM (SELECT seq, txid FROM "Change" ORDER BY seq DESC LIMIT 1000) newest`;

export interface ChangeLogSignal {
  /** The signal now: from memory when nothing was written since it was last read. */
  read(): Promise<string>;
  /** A commit wrote to the log. */
  notified(): void;
  /** Whether notifications are heard; while not, every read goes to the database. */
  listening(heard: boolean): void;
}

export function changeLogSignal(readFromDatabase: () => Promise<string>): ChangeLogSignal {
  let heard = false;
  let stale = true;
  let known: string | undefined;
  return {
    async read() {
      if (heard && !stale && known !== undefined) return known;
      // Cleared before the read: a notification that arrives during it marks it stale again.
      stale = false;
      try {
        known = await readFromDatabase();
      } catch (error) {
        stale = true;
        throw error;
      }
      if (known.endsWith(' held')) stale = true;
      return known;
    },
    notified() {
      stale = true;
    },
    listening(now) {
      heard = now;
      stale = true;
    },
  };
}
