-- CreateExtension
-- Edited by hand: pg_trgm is a contrib extension; the embedded default (PGlite) loads it when it
-- opens (packages/platform/src/db.ts). Search's fuzzy matching needs it.
CREATE EXTENSION IF NOT EXISTS "pg_trgm";
