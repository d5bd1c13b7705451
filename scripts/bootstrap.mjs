// Makes a fresh clone runnable with nothing but Node.js and npm: installs dependencies with
// the pinned pnpm when they are missing or stale, then generates what the build makes (the
// Prisma clients and the resolver types) when its inputs are newer. Plain JavaScript, since
// it runs before TypeScript tooling is installed.
//   node scripts/bootstrap.mjs            only what is missing or stale
//   node scripts/bootstrap.mjs --force    regenerate everything
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const services = ['events', 'actors', 'statements', 'imports'];
// Each Prisma schema and the folder its client is generated into (see its generator block).
const prismaClients = {
  events: 'services/events/src/generated/prisma',
  actors: 'services/actors/src/generated/prisma',
  statements: 'services/statements/src/generated/prisma',
  imports: 'services/imports/src/generated/prisma',
  gateway: 'gateway/src/generated/prisma',
};
const PNPM = 'pnpm@12.4.2';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Node.js ${process.versions.node} is too old: this project needs 20.19 or newer.`);
  process.exit(1);
}

const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const newest = (files) => Math.max(...files.map(mtime));
const run = (command, args, env = {}) =>
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

// 1. Dependencies, with the exact pnpm the lockfile was made with.
const installMarker = path.join(root, 'node_modules/.modules.yaml');
const manifests = ['pnpm-lock.yaml', 'package.json', 'pnpm-workspace.yaml'].map((file) => path.join(root, file));
if (force || mtime(installMarker) < newest(manifests)) {
  console.log('bootstrap: installing dependencies');
  run('npx', ['--yes', PNPM, 'install', '--frozen-lockfile']);
}

// 2. Prisma clients. The CLI insists on a schema-engine binary it cannot download here and
// does not need for `generate`; any existing file satisfies the check.
const bin = (name) => path.join(root, 'node_modules/.bin', name);
for (const [name, output] of Object.entries(prismaClients)) {
  const schema = path.join(root, 'prisma', name, 'schema.prisma');
  const client = path.join(root, output, 'client.ts');
  if (force || mtime(client) < mtime(schema)) {
    run(bin('prisma'), ['generate', '--schema', schema], {
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    });
  }
}

/** Every file under a folder, except the folders named in `skip`. */
const filesUnder = (dir, skip = []) =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((entry) =>
          skip.includes(entry.name)
            ? []
            : entry.isDirectory()
              ? filesUnder(path.join(dir, entry.name), skip)
              : [path.join(dir, entry.name)],
        )
    : [];
const web = path.join(root, 'gateway/web');

// 3. Typed resolvers from each subgraph's schema, and the explorer's typed documents.
const typeFiles = [
  ...services.map((service) => path.join(root, 'services', service, 'src/generated/graphql.ts')),
  path.join(web, 'src/gql/graphql.ts'),
];
const typeInputs = [
  path.join(root, 'codegen.ts'),
  path.join(root, 'gateway/api-schema.graphql'),
  ...services.map((service) => path.join(root, 'services', service, 'schema.graphql')),
  ...filesUnder(path.join(web, 'src/explorer')),
  ...filesUnder(path.join(web, 'src/examples')),
];
// codegen leaves unchanged files untouched, so a stamp records when it last ran.
const codegenStamp = path.join(root, 'node_modules/.cache/newsfacts/codegen.stamp');
if (force || !typeFiles.every((file) => fs.existsSync(file)) || mtime(codegenStamp) < newest(typeInputs)) {
  console.log('bootstrap: generating resolver types and typed documents');
  run(bin('graphql-codegen'), ['--config', 'codegen.ts']);
  fs.mkdirSync(path.dirname(codegenStamp), { recursive: true });
  fs.writeFileSync(codegenStamp, new Date().toISOString());
}

// 4. The pages the gateway serves (GraphiQL, the explorer), bundled by Vite.
const webInputs = [...filesUnder(web, ['node_modules', 'dist']), path.join(root, 'pnpm-lock.yaml')];
if (force || mtime(path.join(web, 'dist/explorer.html')) < newest(webInputs)) {
  console.log('bootstrap: building the web pages');
  run(path.join(web, 'node_modules/.bin/vite'), [
    'build',
    '--logLevel',
    'warn',
    '--config',
    path.join(web, 'vite.config.ts'),
  ]);
}
