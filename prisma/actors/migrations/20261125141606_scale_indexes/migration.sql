-- DropIndex
DROP INDEX "Actor_name_idx";

-- DropIndex
DROP INDEX "Alias_name_idx";

-- DropIndex
DROP INDEX "Affiliation_organizationId_idx";

-- CreateIndex
CREATE INDEX "Actor_name_id_idx" ON "Actor"("name", "id");

-- CreateIndex
CREATE INDEX "Affiliation_organizationId_since_id_idx" ON "Affiliation"("organizationId", "since" DESC, "id");

-- CreateExtension, CreateIndex (trigram, for case-insensitive "contains" searches)
-- Edited by hand: pg_trgm is a contrib extension; the embedded default (PGlite) loads it when it
-- opens (packages/platform/src/db.ts). A server without it skips these indexes, and searches scan.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS "pg_trgm";
    CREATE INDEX "Actor_name_trgm_idx" ON "Actor" USING GIN ("name" gin_trgm_ops);
    CREATE INDEX "Alias_name_trgm_idx" ON "Alias" USING GIN ("name" gin_trgm_ops);
  END IF;
END $$;
