import { graphql } from '../gql';

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
          id
          stance
          quote
          paraphrase
          saidAt
          saidAtPrecision
          channel
          channelDetail
          # The page shows each speaker's latest position only.
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
          reportedIn {
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
          title
          publishedAt
          publishedAtPrecision
        }
      }
    }
  }
`);
