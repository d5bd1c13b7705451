-- Edited by hand: "nameKey" is required, but existing rows have none, so each column is added
-- nullable, filled from the name, and only then made NOT NULL.
--
-- The backfill approximates nameKey() (packages/fact-package/src/names.ts) in SQL: NFKD, the
-- combining accents of U+0300–U+036F dropped, lower case, ß as ss, every run of anything but
-- letters and digits (and the Ukrainian apostrophe U+02BC) one space, trimmed. The plain
-- `trim(regexp_replace(lower(name), '[^[:alnum:]]+', ' ', 'g'))` would keep accents
-- ("vyachesláv"); this keeps fewer, but not all of nameKey's rules: marks outside that block
-- stay (Arabic and Hebrew vowel points among them), marks of scripts nameKey keeps them for
-- become spaces, and lower() and [:alnum:] follow the database's LC_CTYPE (under the C locale
-- only ASCII letters count, and other scripts would be dropped). Rows written from now on get
-- the exact key from the service and re-seeding rewrites the seed's; a row this approximates
-- differently gets its exact key when its name or other names are next written.

-- AlterTable
ALTER TABLE "Actor" ADD COLUMN     "nameKey" TEXT;

-- AlterTable
ALTER TABLE "Alias" ADD COLUMN     "nameKey" TEXT;

-- Backfill
UPDATE "Actor" SET "nameKey" = trim(regexp_replace(replace(regexp_replace(lower(normalize(name, NFKD)), '[\u0300-\u036f]+', '', 'g'), 'ß', 'ss'), '([^[:alnum:]]|\u02bc)+', ' ', 'g'));
UPDATE "Alias" SET "nameKey" = trim(regexp_replace(replace(regexp_replace(lower(normalize(name, NFKD)), '[\u0300-\u036f]+', '', 'g'), 'ß', 'ss'), '([^[:alnum:]]|\u02bc)+', ' ', 'g'));

-- AlterTable
ALTER TABLE "Actor" ALTER COLUMN "nameKey" SET NOT NULL;

-- AlterTable
ALTER TABLE "Alias" ALTER COLUMN "nameKey" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Actor_nameKey_idx" ON "Actor"("nameKey");

-- CreateIndex
CREATE INDEX "Alias_nameKey_idx" ON "Alias"("nameKey");
