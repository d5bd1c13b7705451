-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('INCURSION', 'ARMED_CLASH', 'ATTACK_ON_BORDER_POST', 'SHELLING', 'AIR_STRIKE', 'DRONE_STRIKE', 'SABOTAGE', 'BOMBING', 'PROTEST', 'OTHER');

-- CreateEnum
CREATE TYPE "DatePrecision" AS ENUM ('EXACT', 'DAY', 'MONTH', 'YEAR');

-- CreateEnum
CREATE TYPE "GeoPrecision" AS ENUM ('POINT', 'SETTLEMENT', 'NEAR_SETTLEMENT', 'DISTRICT', 'REGION', 'COUNTRY');

-- CreateEnum
CREATE TYPE "EventRelationKind" AS ENUM ('FOLLOWS', 'RELATED_TO', 'RESPONSE_TO');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('ATTACKER', 'ALLEGED_ATTACKER', 'DEFENDER', 'TARGET', 'VICTIM', 'ACCUSER', 'INVESTIGATOR', 'COMMENTATOR', 'ANALYST', 'BRIEFED');

-- CreateEnum
CREATE TYPE "FigureMetric" AS ENUM ('INJURED', 'KILLED', 'DRONES', 'TANKS');

-- CreateEnum
CREATE TYPE "FigureQualifier" AS ENUM ('EXACT', 'AT_LEAST', 'AT_MOST', 'APPROXIMATE');

-- CreateTable
CREATE TABLE "Place" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "region" TEXT,
    "countryCode" CHAR(2) NOT NULL,
    "country" TEXT NOT NULL,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "geoPrecision" "GeoPrecision" NOT NULL,

    CONSTRAINT "Place_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Event" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "kind" "EventKind" NOT NULL,
    "startedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "datePrecision" "DatePrecision" NOT NULL,
    "placeId" UUID,
    "parentId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventRelation" (
    "id" UUID NOT NULL,
    "fromEventId" UUID NOT NULL,
    "toEventId" UUID NOT NULL,
    "kind" "EventRelationKind" NOT NULL,
    "note" TEXT,

    CONSTRAINT "EventRelation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Participant" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "actorId" UUID NOT NULL,
    "role" "ParticipantRole" NOT NULL,
    "note" TEXT,
    "claimId" UUID,

    CONSTRAINT "Participant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Figure" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "metric" "FigureMetric" NOT NULL,
    "value" INTEGER NOT NULL,
    "qualifier" "FigureQualifier" NOT NULL,
    "description" TEXT NOT NULL,
    "claimId" UUID,

    CONSTRAINT "Figure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Place_slug_key" ON "Place"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Event_slug_key" ON "Event"("slug");

-- CreateIndex
CREATE INDEX "Event_parentId_idx" ON "Event"("parentId");

-- CreateIndex
CREATE INDEX "Event_placeId_idx" ON "Event"("placeId");

-- CreateIndex
CREATE INDEX "Event_startedAt_id_idx" ON "Event"("startedAt", "id");

-- CreateIndex
CREATE INDEX "Event_kind_idx" ON "Event"("kind");

-- CreateIndex
CREATE INDEX "EventRelation_toEventId_idx" ON "EventRelation"("toEventId");

-- CreateIndex
CREATE UNIQUE INDEX "EventRelation_fromEventId_toEventId_kind_key" ON "EventRelation"("fromEventId", "toEventId", "kind");

-- CreateIndex
CREATE INDEX "Participant_actorId_idx" ON "Participant"("actorId");

-- CreateIndex
CREATE UNIQUE INDEX "Participant_eventId_actorId_role_key" ON "Participant"("eventId", "actorId", "role");

-- CreateIndex
CREATE INDEX "Figure_eventId_idx" ON "Figure"("eventId");

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_placeId_fkey" FOREIGN KEY ("placeId") REFERENCES "Place"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Event"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventRelation" ADD CONSTRAINT "EventRelation_fromEventId_fkey" FOREIGN KEY ("fromEventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventRelation" ADD CONSTRAINT "EventRelation_toEventId_fkey" FOREIGN KEY ("toEventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Participant" ADD CONSTRAINT "Participant_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Figure" ADD CONSTRAINT "Figure_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
