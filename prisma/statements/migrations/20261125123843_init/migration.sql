-- CreateEnum
CREATE TYPE "ClaimAspect" AS ENUM ('OCCURRENCE', 'PERPETRATOR', 'CASUALTIES', 'DAMAGE', 'MOTIVE', 'CONDUCT', 'RESPONSE', 'SAFETY', 'ASSESSMENT');

-- CreateEnum
CREATE TYPE "Stance" AS ENUM ('ASSERTS', 'SUPPORTS', 'DENIES', 'DISPUTES');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('TELEGRAM', 'TWITTER', 'TELEVISED_COMMENTS', 'INTERVIEW', 'REMARKS_TO_MEDIA', 'WRITTEN_STATEMENT', 'REPORT', 'OFFICIAL_ANNOUNCEMENT', 'UNSPECIFIED');

-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('EXACT', 'DAY', 'MONTH', 'YEAR');

-- CreateTable
CREATE TABLE "Source" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "publisher" TEXT,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "publishedAt" TIMESTAMPTZ(3) NOT NULL,
    "publishedAtPrecision" "DatePrecision" NOT NULL,
    "language" TEXT NOT NULL,
    "contentSha256" TEXT,
    "note" TEXT,

    CONSTRAINT "Source_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Claim" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "aspect" "ClaimAspect" NOT NULL,
    "question" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Claim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Statement" (
    "id" UUID NOT NULL,
    "claimId" UUID NOT NULL,
    "speakerId" UUID NOT NULL,
    "stance" "Stance" NOT NULL,
    "quote" TEXT,
    "paraphrase" TEXT,
    "saidAt" TIMESTAMPTZ(3),
    "saidAtPrecision" "DatePrecision",
    "channel" "Channel" NOT NULL,
    "channelDetail" TEXT,
    "outletId" UUID,
    "sourceId" UUID NOT NULL,
    "spanStart" INTEGER,
    "spanEnd" INTEGER,
    "note" TEXT,

    CONSTRAINT "Statement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Source_slug_key" ON "Source"("slug");

-- CreateIndex
CREATE INDEX "Claim_eventId_question_idx" ON "Claim"("eventId", "question");

-- CreateIndex
CREATE INDEX "Statement_claimId_idx" ON "Statement"("claimId");

-- CreateIndex
CREATE INDEX "Statement_speakerId_idx" ON "Statement"("speakerId");

-- CreateIndex
CREATE INDEX "Statement_sourceId_idx" ON "Statement"("sourceId");

-- AddForeignKey
ALTER TABLE "Statement" ADD CONSTRAINT "Statement_claimId_fkey" FOREIGN KEY ("claimId") REFERENCES "Claim"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Statement" ADD CONSTRAINT "Statement_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
