-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED');

-- CreateEnum
CREATE TYPE "ImportRecordKind" AS ENUM ('SOURCE', 'PLACE', 'ACTOR', 'EVENT', 'CLAIM', 'STATEMENT');

-- CreateEnum
CREATE TYPE "ImportOutcome" AS ENUM ('CREATED', 'UNCHANGED', 'MATCHED', 'AMBIGUOUS', 'REJECTED');

-- CreateTable
CREATE TABLE "ImportJob" (
    "id" UUID NOT NULL,
    "createdBy" TEXT NOT NULL,
    "principal" JSONB NOT NULL,
    "packageId" TEXT NOT NULL,
    "packageSha256" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'QUEUED',
    "package" JSONB NOT NULL,
    "heartbeatAt" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "failure" TEXT,
    "created" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "matched" INTEGER NOT NULL DEFAULT 0,
    "ambiguous" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ImportJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ImportRecord" (
    "jobId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" "ImportRecordKind" NOT NULL,
    "key" TEXT NOT NULL,
    "index" INTEGER,
    "outcome" "ImportOutcome" NOT NULL,
    "recordId" UUID,
    "slug" TEXT,
    "matchedBy" TEXT,
    "matchedName" TEXT,
    "candidates" JSONB,
    "errors" JSONB,

    CONSTRAINT "ImportRecord_pkey" PRIMARY KEY ("jobId","position")
);

-- CreateIndex
CREATE INDEX "ImportJob_createdBy_createdAt_idx" ON "ImportJob"("createdBy", "createdAt");

-- CreateIndex
CREATE INDEX "ImportJob_status_heartbeatAt_idx" ON "ImportJob"("status", "heartbeatAt");

-- CreateIndex
CREATE INDEX "ImportRecord_jobId_outcome_position_idx" ON "ImportRecord"("jobId", "outcome", "position");

-- AddForeignKey
ALTER TABLE "ImportRecord" ADD CONSTRAINT "ImportRecord_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ImportJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;
