-- Edited by hand (Prisma's schema has no triggers): every commit that wrote to the change log
-- NOTIFYs newsfacts_change_log, once per statement, so that the service answers its change-log
-- signal from memory until something is written (packages/platform/src/change-log-signal.ts).
-- PGlite delivers these to its own process as PostgreSQL does.
CREATE FUNCTION "notify_change_log"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('newsfacts_change_log', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "Change_notify" AFTER INSERT ON "Change"
  FOR EACH STATEMENT EXECUTE FUNCTION "notify_change_log"();
