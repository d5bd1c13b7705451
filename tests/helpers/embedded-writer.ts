/**
 * A child process on the embedded database (PGlite), opened the way the services open it.
 *
 *   tsx tests/helpers/embedded-writer.ts <dataDir> write   inserts rows 1, 2, 3 … one at a time,
 *                                                          printing `ack <id>` once each insert has returned
 *   tsx tests/helpers/embedded-writer.ts <dataDir> read    prints `ids <json array>` of every row, then closes
 *
 * The fault tests SIGKILL the writer mid-stream and check, with the reader, that every
 * acknowledged row survived.
 */
import { openDatabase } from '@newsfacts/platform/db';

const [dataDir, mode] = process.argv.slice(2);
if (!dataDir || (mode !== 'write' && mode !== 'read')) {
  process.stderr.write('usage: embedded-writer.ts <dataDir> write|read\n');
  process.exit(2);
}

const db = await openDatabase({ kind: 'embedded', dataDir });
await db.exec(
  'CREATE TABLE IF NOT EXISTS acknowledged (id integer PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())',
);

if (mode === 'read') {
  const rows = await db.query<{ id: number }>('SELECT id FROM acknowledged ORDER BY id');
  process.stdout.write(`ids ${JSON.stringify(rows.map((row) => row.id))}\n`);
  await db.close();
} else {
  const [last] = await db.query<{ id: number }>('SELECT coalesce(max(id), 0) AS id FROM acknowledged');
  // Runs until killed: that is the point.
  for (let id = last!.id + 1; ; id++) {
    await db.query('INSERT INTO acknowledged (id) VALUES ($1)', [id]);
    process.stdout.write(`ack ${id}\n`);
  }
}
