-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('PERSON', 'ORGANIZATION');

-- CreateEnum
CREATE TYPE "OrganizationType" AS ENUM ('STATE', 'GOVERNMENT_BODY', 'REGIONAL_GOVERNMENT', 'MILITARY', 'INTELLIGENCE_AGENCY', 'SECURITY_FORCES', 'LAW_ENFORCEMENT', 'ARMED_GROUP', 'MEDIA', 'RESEARCH_INSTITUTE', 'OTHER');

-- CreateEnum
CREATE TYPE "AliasKind" AS ENUM ('TRANSLITERATION', 'ALTERNATIVE_NAME', 'ABBREVIATION', 'METONYM');

-- CreateTable
CREATE TABLE "Actor" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ActorKind" NOT NULL,
    "description" TEXT NOT NULL,
    "countryCode" CHAR(2),
    "organizationType" "OrganizationType",
    "wikidataId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Actor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alias" (
    "id" UUID NOT NULL,
    "actorId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AliasKind" NOT NULL,
    "language" TEXT,

    CONSTRAINT "Alias_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Affiliation" (
    "id" UUID NOT NULL,
    "memberId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "since" DATE,
    "until" DATE,

    CONSTRAINT "Affiliation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Actor_slug_key" ON "Actor"("slug");

-- CreateIndex
CREATE INDEX "Actor_name_idx" ON "Actor"("name");

-- CreateIndex
CREATE INDEX "Actor_kind_idx" ON "Actor"("kind");

-- CreateIndex
CREATE INDEX "Alias_name_idx" ON "Alias"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Alias_actorId_name_key" ON "Alias"("actorId", "name");

-- CreateIndex
CREATE INDEX "Affiliation_organizationId_idx" ON "Affiliation"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "Affiliation_memberId_organizationId_title_key" ON "Affiliation"("memberId", "organizationId", "title");

-- AddForeignKey
ALTER TABLE "Alias" ADD CONSTRAINT "Alias_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Affiliation" ADD CONSTRAINT "Affiliation_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Affiliation" ADD CONSTRAINT "Affiliation_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Actor"("id") ON DELETE CASCADE ON UPDATE CASCADE;
