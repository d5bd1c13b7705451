import { graphql } from '../gql';

/** What the Statement component shows of a statement, wherever it stands. */
export const StatementCardFragment = graphql(`
  fragment StatementCard on Statement {
    id
    stance
    quote
    paraphrase
    saidAt
    saidAtPrecision
    channel
    channelDetail
    # Each speaker's latest position only.
    speaker {
      slug
      name
      affiliations(first: 1) {
        title
        organization {
          name
        }
      }
    }
    outlet {
      name
    }
  }
`);

export const SearchQuery = graphql(`
  query Search($text: String!) {
    events(filter: { search: $text }, first: 10) {
      nodes {
        slug
        title
        kind
        startedAt
        datePrecision
        location {
          name
          country
        }
      }
    }
    actors(search: $text, first: 10) {
      nodes {
        slug
        name
        kind
        description
      }
    }
  }
`);

export const RecentEventsQuery = graphql(`
  query RecentEvents {
    events(filter: { topLevelOnly: true }, first: 10) {
      totalCount
      nodes {
        slug
        title
        kind
        startedAt
        datePrecision
        location {
          name
          country
        }
        contestedClaims {
          id
        }
      }
    }
  }
`);

export const EventPageQuery = graphql(`
  query EventPage($slug: String!) {
    event(slug: $slug) {
      slug
      title
      summary
      kind
      startedAt
      endedAt
      datePrecision
      location {
        name
        region
        country
        latitude
        longitude
        geoPrecision
      }
      parent {
        slug
        title
        kind
        startedAt
        datePrecision
      }
      subEvents {
        slug
        title
        kind
        startedAt
        datePrecision
      }
      relatedEvents {
        kind
        note
        event {
          slug
          title
          kind
          startedAt
          datePrecision
        }
      }
      participants {
        role
        note
        actor {
          slug
          name
          kind
        }
      }
      figures {
        metric
        value
        qualifier
        description
      }
      contestedClaims {
        id
        text
        aspect
        question
        statements {
          ...StatementCard
          reportedIn {
            slug
            title
            publisher
            publishedAt
            publishedAtPrecision
          }
        }
      }
    }
  }
`);

export const ActorPageQuery = graphql(`
  query ActorPage($slug: String!) {
    actor(slug: $slug) {
      slug
      name
      kind
      description
      country
      organizationType
      aliases
      affiliations {
        title
        since
        until
        current
        organization {
          slug
          name
        }
      }
      members {
        title
        current
        member {
          slug
          name
        }
      }
      participations {
        role
        event {
          slug
          title
          startedAt
          datePrecision
        }
      }
      statements {
        id
        stance
        quote
        paraphrase
        saidAt
        saidAtPrecision
        channel
        channelDetail
        claim {
          id
          text
          aspect
          contested
          event {
            slug
            title
          }
        }
        reportedIn {
          slug
          title
          publishedAt
          publishedAtPrecision
        }
      }
    }
  }
`);

// A source and the statements it reports, in the order of its text. Source.statements takes no
// `after`: a source lists its first 100 statements at most (the page says so when it gets 100).
export const SourcePageQuery = graphql(`
  query SourcePage($slug: String!) {
    source(slug: $slug) {
      id
      slug
      title
      publisher
      url
      publishedAt
      publishedAtPrecision
      language
      note
      text
      contentSha256
      statements(first: 100) {
        ...StatementCard
        span {
          start
          end
          context
        }
        claim {
          id
          text
          contested
          event {
            slug
            title
          }
        }
      }
    }
  }
`);

/** What the import page shows of a job while it runs: its state and how many records had each outcome so far. */
export const ImportJobStateFragment = graphql(`
  fragment ImportJobState on ImportJob {
    id
    packageId
    dryRun
    status
    failure
    counts {
      created
      unchanged
      matched
      ambiguous
      rejected
    }
  }
`);

/** One page of a job's report: what became of each record, with what it matched, its candidates or its errors. */
export const ImportRecordPageFragment = graphql(`
  fragment ImportRecordPage on ImportRecordConnection {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      kind
      key
      path
      outcome
      recordId
      slug
      matchedBy
      matchedName
      candidates {
        id
        slug
        name
        matchedName
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

// A fact package, checked (dryRun) or imported with the page's write key. The answer carries the
// report's first page, which is the whole report when a small package's job is done at once.
export const ImportPackageMutation = graphql(`
  mutation ImportPackage($package: JSON!, $dryRun: Boolean!) {
    importPackage(input: { package: $package, dryRun: $dryRun }) {
      job {
        ...ImportJobState
        records(first: 100) {
          ...ImportRecordPage
        }
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

/** A job followed while it is QUEUED or RUNNING: its state only, the report is read when it ends. */
export const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    importJob(id: $id) {
      ...ImportJobState
    }
  }
`);

/** The report of a job that has ended, 100 records at a time. */
export const ImportRecordsQuery = graphql(`
  query ImportRecords($id: ID!, $after: String) {
    importJob(id: $id) {
      id
      records(first: 100, after: $after) {
        ...ImportRecordPage
      }
    }
  }
`);
