-- AlterTable
ALTER TABLE "Change" ADD COLUMN     "txid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateIndex
CREATE INDEX "Change_txid_seq_idx" ON "Change"("txid", "seq");
