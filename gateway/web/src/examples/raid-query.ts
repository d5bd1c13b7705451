/**
 * The query the federation exists for: the raid, its actors and their contested claims, in one
 * request. GraphiQL opens with it; the tests and the benchmarks send it.
 */
export const RAID_QUERY = /* GraphQL */ `
  query Raid($slug: String!) {
    event(slug: $slug) {
      title
      kind
      startedAt
      datePrecision
      location {
        name
        region
        country
      }
      participants {
        role
        actor {
          name
          kind
          aliases
        }
      }
      contestedClaims {
        text
        aspect
        statements {
          stance
          quote
          paraphrase
          saidAt
          channel
          speaker {
            name
            affiliations {
              title
              organization {
                name
              }
            }
          }
          reportedIn {
            title
            publishedAt
          }
        }
      }
    }
  }
`;

export const RAID_SLUG = 'belgorod-incursion-2023';
