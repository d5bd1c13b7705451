/**
 * Prisma's schema engine (the WebAssembly build) for computing migration SQL offline.
 *
 * The package imports its `.wasm` as an ES module, which Node 20 allows only with
 * `--experimental-wasm-modules`. This module instantiates the `.wasm` itself instead, so it
 * also works under plain `node`, tsx and vitest.
 *
 * The engine wants a live database adapter at construction, although a diff between two
 * datamodels never queries it. By default that is an in-memory PGlite, so no server is
 * needed; pass `databaseUrl` to use a PostgreSQL server through adapter-pg instead.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

type Bindings = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
type Engine = Awaited<ReturnType<Bindings['SchemaEngine']['new']>>;

/** Where a diff starts or ends: nothing at all, or the text of a schema.prisma. */
export type SchemaSource = { kind: 'empty' } | { kind: 'schema'; path: string; content: string };

export interface SchemaEngine {
  /** Which adapter the engine runs on, for messages. */
  readonly adapterName: string;
  /** The SQL script that migrates a database from `from` to `to`; see `isEmptyMigration`. */
  diff(from: SchemaSource, to: SchemaSource): Promise<string>;
  close(): Promise<void>;
}

export function schemaFile(schemaPath: string): SchemaSource {
  return { kind: 'schema', path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') };
}

/** True when a diff script has no statements (the engine then says "-- This is an empty migration."). */
export function isEmptyMigration(sql: string): boolean {
  return sql.replace(/--.*$/gm, '').trim() === '';
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// pglite and its Prisma adapter are dependencies of packages/platform, so resolve them there.
const requireFromPlatform = createRequire(path.resolve(here, '../../packages/platform/package.json'));

let bindings: Promise<Bindings> | undefined;

// The project compiles without the DOM library, which is where TypeScript declares WebAssembly.
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: object };
}

function loadBindings(): Promise<Bindings> {
  bindings ??= (async () => {
    const module = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    try {
      module.version(); // already initialised, e.g. through the package's own entry point
      return module;
    } catch {
      // not initialised yet
    }
    const wasmPath = path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const instance = new wasmApi.Instance(new wasmApi.Module(fs.readFileSync(wasmPath)), {
      './schema_engine_bg.js': module,
    });
    module.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return module;
  })();
  return bindings;
}

interface PGliteLike {
  close(): Promise<void>;
}

export async function openSchemaEngine(options: { databaseUrl?: string } = {}): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadBindings();
  let adapter: unknown;
  let release: () => Promise<void>;
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
    pool.on('error', () => {}); // an idle client losing its server must not kill the process
    adapter = new PrismaPg(pool);
    release = () => pool.end();
  } else {
    const { PGlite } = requireFromPlatform('@electric-sql/pglite') as { PGlite: new () => PGliteLike };
    const { PrismaPGlite } = requireFromPlatform('pglite-prisma-adapter') as {
      PrismaPGlite: new (client: PGliteLike) => unknown;
    };
    const pglite = new PGlite();
    adapter = new PrismaPGlite(pglite);
    release = () => pglite.close();
  }
  const factory = bindMigrationAwareSqlAdapterFactory(
    adapter as Parameters<typeof bindMigrationAwareSqlAdapterFactory>[0],
  );
  let engine: Engine;
  try {
    engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, factory);
  } catch (error) {
    await release().catch(() => {});
    throw new Error(`could not start the schema engine on ${factory.adapterName}: ${engineMessage(error)}`, {
      cause: error,
    });
  }
  return {
    adapterName: factory.adapterName,
    async diff(from, to) {
      try {
        const result = await engine.diff({
          from: toTarget(from),
          to: toTarget(to),
          script: true,
          exitCode: null,
          filters: { externalTables: [], externalEnums: [] },
        });
        return withoutPublicSchemaCreation(result.stdout ?? '');
      } catch (error) {
        throw new Error(engineMessage(error), { cause: error });
      }
    },
    async close() {
      engine.free();
      await release();
    },
  };
}

type DiffTarget = Parameters<Engine['diff']>[0]['from'];

function toTarget(source: SchemaSource): DiffTarget {
  return source.kind === 'empty'
    ? { tag: 'empty' }
    : { tag: 'schemaDatamodel', files: [{ path: source.path, content: source.content }] };
}

/**
 * A diff from empty starts with `CREATE SCHEMA IF NOT EXISTS "public"`. Every PostgreSQL
 * database already has that schema, and the statement needs CREATE privilege on the database
 * even when the schema exists, which a migration role owning only the schema lacks.
 */
function withoutPublicSchemaCreation(sql: string): string {
  return sql.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
}

/** The engine rejects with JSON-ish errors; keep the human part. */
function engineMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(raw) as { message?: string; error?: string };
    return parsed.message ?? parsed.error ?? raw;
  } catch {
    return raw;
  }
}
