// Creating, changing and deleting places. A place is deleted only when no event is at it.
import { newRecordId } from '@newsfacts/platform/ids';
import { z } from 'zod';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import {
  assertMayChange,
  changedFields,
  chooseSlug,
  createOnce,
  enumOf,
  fieldError,
  type FieldError,
  FieldErrorCode,
  inputRules,
  parseInput,
  recordChange,
  type Referrer,
  refuseIfAny,
  rejectInput,
  type SlugTable,
  slugTakenMeanwhile,
  StillReferenced,
  writerOf,
} from '@newsfacts/platform/writes';
import type { EventsPrisma } from '../db';
import type { Place } from '../generated/prisma/client.ts';
import { GeoPrecision } from '../generated/prisma/enums.ts';
import { COUNTRY_CODES, countryName } from './country-codes';

const placeFields = {
  slug: inputRules.slug,
  name: inputRules.name,
  region: inputRules.text(300).nullish(),
  countryCode: inputRules.countryCode.refine((code) => COUNTRY_CODES.has(code), {
    message: 'not an assigned ISO 3166-1 alpha-2 code',
  }),
  country: inputRules.text(100).nullish(),
  latitude: z.number().min(-90, { message: 'from -90 to 90' }).max(90, { message: 'from -90 to 90' }).nullish(),
  longitude: z.number().min(-180, { message: 'from -180 to 180' }).max(180, { message: 'from -180 to 180' }).nullish(),
  geoPrecision: enumOf(GeoPrecision),
};

const createInput = z.object({
  ...placeFields,
  slug: placeFields.slug.nullish(),
  externalId: inputRules.externalId.nullish(),
});

// An update names the record and gives any of its fields.
const updateInput = z.object(placeFields).partial().extend({ id: inputRules.id });

/** Coordinates come in pairs, and a POINT is nothing without them. */
function checkCoordinates(
  place: { latitude: number | null; longitude: number | null; geoPrecision: GeoPrecision },
  given: { latitude?: unknown; longitude?: unknown; geoPrecision?: unknown },
): FieldError[] {
  const at = (field: string) => ['input', field];
  if ((place.latitude === null) !== (place.longitude === null)) {
    const missing = place.latitude === null ? 'latitude' : 'longitude';
    return [fieldError(at(missing), FieldErrorCode.INVALID, 'give latitude and longitude together, or neither')];
  }
  if (place.geoPrecision === 'POINT' && place.latitude === null) {
    const field = given.geoPrecision !== undefined ? 'geoPrecision' : 'latitude';
    return [fieldError(at(field), FieldErrorCode.INVALID, 'a POINT needs its latitude and longitude')];
  }
  return [];
}

const slugTable = (prisma: EventsPrisma): SlugTable => ({
  holderOf: (slug) => prisma.place.findUnique({ where: { slug }, select: { id: true } }),
  startingWith: (base) => prisma.place.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } }),
});

/** The part of a place a repeat create is compared on. */
const comparable = (place: {
  name: string;
  region?: string | null;
  countryCode: string;
  country: string;
  latitude?: number | null;
  longitude?: number | null;
  geoPrecision: string;
}) =>
  JSON.stringify([
    place.name,
    place.region ?? null,
    place.countryCode,
    place.country,
    place.latitude ?? null,
    place.longitude ?? null,
    place.geoPrecision,
  ]);

export async function createPlace(
  prisma: EventsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Place> {
  const writer = writerOf(principal);
  const input = parseInput(createInput, rawInput);
  const fields = {
    name: input.name,
    region: input.region ?? null,
    countryCode: input.countryCode,
    country: input.country ?? countryName(input.countryCode),
    latitude: input.latitude ?? null,
    longitude: input.longitude ?? null,
    geoPrecision: input.geoPrecision,
  };
  refuseIfAny(checkCoordinates(fields, input));

  return createOnce({
    what: 'place',
    externalId: input.externalId,
    findByExternalId: (externalId) =>
      prisma.place.findUnique({ where: { createdBy_externalId: { createdBy: writer, externalId } } }),
    isSameAs: (existing) => comparable(existing) === comparable(fields),
    onTaken: slugTakenMeanwhile,
    create: async () => {
      const slug = await chooseSlug(slugTable(prisma), input.slug, input.name, 'place');
      const id = newRecordId('place', writer, input.externalId);
      return prisma.$transaction(async (tx) => {
        const place = await tx.place.create({
          data: { id, slug, ...fields, createdBy: writer, externalId: input.externalId ?? null },
        });
        await recordChange(tx, {
          entityType: 'Place',
          entityId: id,
          operation: 'CREATE',
          by: writer,
          fields: ['slug', ...Object.keys(fields)],
        });
        return place;
      });
    },
  });
}

export async function updatePlace(
  prisma: EventsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<Place> {
  const input = parseInput(updateInput, rawInput);
  const place = await prisma.place.findUnique({ where: { id: input.id } });
  if (!place) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No place has the id ${input.id}.`);
  const writer = assertMayChange(principal, place, `Place ${place.id}`);
  // A new code without a name, or a name cleared, names the country after its code, so the two never disagree.
  const country =
    input.country != null
      ? input.country
      : input.country === null || (input.countryCode !== undefined && input.countryCode !== place.countryCode)
        ? countryName(input.countryCode ?? place.countryCode)
        : undefined;
  const given = {
    name: input.name,
    region: input.region,
    countryCode: input.countryCode,
    country,
    latitude: input.latitude,
    longitude: input.longitude,
    geoPrecision: input.geoPrecision,
  };
  const merged = {
    latitude: given.latitude === undefined ? place.latitude : given.latitude,
    longitude: given.longitude === undefined ? place.longitude : given.longitude,
    geoPrecision: given.geoPrecision ?? place.geoPrecision,
  };
  refuseIfAny(checkCoordinates(merged, input));
  const slug =
    input.slug === undefined
      ? undefined
      : await chooseSlug(slugTable(prisma), input.slug, place.name, 'place', place.id);
  const data = { slug, ...given };
  const fields = changedFields(place, data);
  if (!fields.length) return place;
  return prisma.$transaction(async (tx) => {
    const updated = await tx.place.update({ where: { id: place.id }, data });
    await recordChange(tx, { entityType: 'Place', entityId: place.id, operation: 'UPDATE', by: writer, fields });
    return updated;
  });
}

/** The first events at a place. */
const eventsAt = async (prisma: Pick<EventsPrisma, 'event'>, placeId: string): Promise<Referrer[]> =>
  (await prisma.event.findMany({ where: { placeId }, select: { id: true }, orderBy: { id: 'asc' }, take: 20 })).map(
    ({ id }) => ({ type: 'Event', id, service: 'events' }),
  );

const placeReferenced = (referrers: Referrer[]) =>
  new StillReferenced(referrers, 'place', 'move those events to another place first.');

export async function deletePlace(
  prisma: EventsPrisma,
  principal: ForwardedPrincipal | null,
  rawInput: unknown,
): Promise<string> {
  const input = parseInput(z.object({ id: inputRules.id }), rawInput);
  const place = await prisma.place.findUnique({ where: { id: input.id } });
  if (!place) return rejectInput(['input', 'id'], FieldErrorCode.NOT_FOUND, `No place has the id ${input.id}.`);
  const writer = assertMayChange(principal, place, `Place ${place.id}`);
  await prisma.$transaction(async (tx) => {
    // Locking the place waits for any event being put at it (its foreign key check holds the
    // place) and keeps new ones out until the delete is done, so the check below is final.
    await tx.$queryRaw`SELECT id FROM "Place" WHERE id = ${place.id}::uuid FOR UPDATE`;
    const referrers = await eventsAt(tx, place.id);
    if (referrers.length) throw placeReferenced(referrers);
    await tx.place.delete({ where: { id: place.id } });
    await recordChange(tx, { entityType: 'Place', entityId: place.id, operation: 'DELETE', by: writer, fields: [] });
  });
  return place.id;
}
