// The shape of a seed dataset: one report's facts, split by the subgraph that owns them. Each
// service declares its own part, with its schema's enums; references between subgraphs are by
// slug, and seedId (packages/platform/src/seed-ids.ts) turns each slug into a stable id.
import type { ActorsSeed } from '@newsfacts/actors/seed';
import type { EventsSeed } from '@newsfacts/events/seed';
import type { StatementsSeed } from '@newsfacts/statements/seed';

export type SeedDataset = EventsSeed & ActorsSeed & StatementsSeed;
