-- One database per subgraph (events, actors, statements, imports) and one for the gateway's API
-- keys, owned by POSTGRES_USER. The postgres image runs this file (with psql, as POSTGRES_USER)
-- only when it initializes an empty data volume. It is idempotent, so
-- it can also be re-run by hand against an existing server:
--   docker-compose exec -T postgres sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB"' < docker/postgres-init.sql
-- Tables come from the migrate service (scripts/db.ts), not from here.
SELECT 'CREATE DATABASE newsfacts_events' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newsfacts_events')\gexec
SELECT 'CREATE DATABASE newsfacts_actors' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newsfacts_actors')\gexec
SELECT 'CREATE DATABASE newsfacts_statements' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newsfacts_statements')\gexec
SELECT 'CREATE DATABASE newsfacts_imports' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newsfacts_imports')\gexec
SELECT 'CREATE DATABASE newsfacts_gateway' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'newsfacts_gateway')\gexec
