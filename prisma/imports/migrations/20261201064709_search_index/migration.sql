-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateTable
CREATE TABLE "SearchDocument" (
    "type" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "folded" TEXT NOT NULL,
    "words" tsvector NOT NULL,
    "indexedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SearchDocument_pkey" PRIMARY KEY ("type","id")
);

-- CreateTable
CREATE TABLE "SearchFeedCursor" (
    "feed" TEXT NOT NULL,
    "cursor" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SearchFeedCursor_pkey" PRIMARY KEY ("feed")
);

-- CreateIndex
CREATE INDEX "SearchDocument_words_idx" ON "SearchDocument" USING GIN ("words");

-- CreateIndex
CREATE INDEX "SearchDocument_folded_trgm_idx" ON "SearchDocument" USING GIN ("folded" gin_trgm_ops);
