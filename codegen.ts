import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types for each subgraph, generated from its schema.graphql. Mappers say what a
// resolver returns for each GraphQL type: the Prisma row, or a bare reference for entities
// another subgraph owns. Paths are relative to the generated file.
const subgraph = (name: string, mappers: Record<string, string>): CodegenConfig['generates'] => ({
  [`services/${name}/src/generated/graphql.ts`]: {
    schema: `services/${name}/schema.graphql`,
    plugins: ['typescript', 'typescript-resolvers'],
    config: {
      federation: true,
      useTypeImports: true,
      enumsAsTypes: true,
      contextType: '../context.ts#Context',
      scalars: { DateTime: 'Date | string', Date: 'Date | string', JSON: 'unknown' },
      mappers,
      mapperTypeSuffix: 'Model',
      avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
    },
  },
});

const config: CodegenConfig = {
  overwrite: true,
  silent: true,
  generates: {
    // The explorer's typed documents, from the schema clients see, and its trusted-document
    // manifest (gql/persisted-documents.json: "sha256:<hex>" → document), which the gateway loads
    // as the first-party client "explorer". The bundle carries only each document's id.
    'gateway/web/src/gql/': {
      schema: 'gateway/api-schema.graphql',
      documents: ['gateway/web/src/explorer/**/*.{ts,tsx}', 'gateway/web/src/examples/**/*.ts'],
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: 'replaceDocumentWithHash', hashAlgorithm: 'sha256' },
      },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' },
      },
    },
    ...subgraph('events', {
      Event: './prisma/client.ts#Event',
      Place: './prisma/client.ts#Place',
      Participant: './prisma/client.ts#Participant',
      Figure: './prisma/client.ts#Figure',
      RelatedEvent: '../resolvers/RelatedEvent.ts#RelatedEventParent',
      EventConnection: '../resolvers/EventConnection.ts#EventConnectionParent',
      Actor: '@newsfacts/platform/references#EntityReference',
      Claim: '@newsfacts/platform/references#EntityReference',
    }),
    ...subgraph('actors', {
      Actor: './prisma/client.ts#Actor',
      AlternativeName: './prisma/client.ts#Alias',
      Affiliation: './prisma/client.ts#Affiliation',
      ActorConnection: '../resolvers/ActorConnection.ts#ActorConnectionParent',
    }),
    ...subgraph('imports', {
      ImportJob: './prisma/client.ts#ImportJob',
      ImportRecord: './prisma/client.ts#ImportRecord',
      ImportJobConnection: '../resolvers/connections.ts#ImportJobConnectionParent',
      ImportRecordConnection: '../resolvers/connections.ts#ImportRecordConnectionParent',
      WebhookSubscription: './prisma/client.ts#WebhookSubscription',
      WebhookDelivery: './prisma/client.ts#WebhookDelivery',
      WebhookSubscriptionConnection: '../resolvers/connections.ts#WebhookSubscriptionConnectionParent',
      WebhookDeliveryConnection: '../resolvers/connections.ts#WebhookDeliveryConnectionParent',
      SearchHit: '../search/query.ts#SearchHit',
      SearchConnection: '../search/query.ts#SearchPage',
      Event: '@newsfacts/platform/references#EntityReference',
      Actor: '@newsfacts/platform/references#EntityReference',
      Claim: '@newsfacts/platform/references#EntityReference',
      Statement: '@newsfacts/platform/references#EntityReference',
      Source: '@newsfacts/platform/references#EntityReference',
    }),
    ...subgraph('statements', {
      Claim: './prisma/client.ts#Claim',
      Statement: './prisma/client.ts#Statement',
      Source: './prisma/client.ts#Source',
      ClaimConnection: '../resolvers/connections.ts#ClaimConnectionParent',
      SourceConnection: '../resolvers/connections.ts#SourceConnectionParent',
      Event: '@newsfacts/platform/references#EntityReference',
      Actor: '@newsfacts/platform/references#EntityReference',
    }),
  },
};

export default config;
