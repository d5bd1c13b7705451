-- DropIndex
DROP INDEX "Event_parentId_idx";

-- DropIndex
DROP INDEX "Event_startedAt_id_idx";

-- DropIndex
DROP INDEX "EventRelation_toEventId_idx";

-- DropIndex
DROP INDEX "Figure_eventId_idx";

-- CreateIndex
CREATE INDEX "Event_parentId_startedAt_id_idx" ON "Event"("parentId", "startedAt" DESC, "id");

-- CreateIndex
CREATE INDEX "Event_startedAt_id_idx" ON "Event"("startedAt" DESC, "id");

-- CreateIndex
CREATE INDEX "EventRelation_fromEventId_id_idx" ON "EventRelation"("fromEventId", "id");

-- CreateIndex
CREATE INDEX "EventRelation_toEventId_id_idx" ON "EventRelation"("toEventId", "id");

-- CreateIndex
CREATE INDEX "Participant_eventId_role_id_idx" ON "Participant"("eventId", "role", "id");

-- CreateIndex
CREATE INDEX "Figure_eventId_metric_id_idx" ON "Figure"("eventId", "metric", "id");

-- CreateExtension, CreateIndex (trigram, for case-insensitive "contains" searches)
-- Edited by hand: pg_trgm is a contrib extension; the embedded default (PGlite) loads it when it
-- opens (packages/platform/src/db.ts). A server without it skips these indexes, and searches scan.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS "pg_trgm";
    CREATE INDEX "Event_title_trgm_idx" ON "Event" USING GIN ("title" gin_trgm_ops);
    CREATE INDEX "Event_summary_trgm_idx" ON "Event" USING GIN ("summary" gin_trgm_ops);
  END IF;
END $$;
