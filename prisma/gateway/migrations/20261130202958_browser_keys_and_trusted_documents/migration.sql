-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "origins" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "TrustedDocument" (
    "id" UUID NOT NULL,
    "client" TEXT NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "body" TEXT NOT NULL,
    "uploadedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrustedDocument_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "TrustedDocument_hash_idx" ON "TrustedDocument"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "TrustedDocument_client_hash_key" ON "TrustedDocument"("client", "hash");
