import { RAID_QUERY, RAID_SLUG } from '../examples/raid-query';

// Queries GraphiQL opens with, one tab each.
export const EXAMPLES = [
  {
    query: `# The raid, its actors and their contested claims, in one request.
# With an API key, add it under Headers below: { "Authorization": "Bearer nfk_…" }
# (the schema docs need the explore scope; in development no key is needed).
${RAID_QUERY}`,
    variables: JSON.stringify({ slug: RAID_SLUG }, null, 2),
  },
  {
    query: `# What an actor said, and which of those claims others contest.
query ActorStatements($slug: String!) {
  actor(slug: $slug) {
    name aliases
    affiliations { title organization { name } }
    statements { stance quote paraphrase channel claim { text contested } }
  }
}`,
    variables: '{\n  "slug": "volodymyr-zelenskyy"\n}',
  },
  {
    query: `# Every contested claim, with its rivals.
query ContestedClaims {
  claims(contested: true, first: 20) {
    totalCount
    nodes {
      text aspect event { title }
      competingClaims { text }
      statements { stance speaker { name } }
    }
  }
}`,
    variables: '{}',
  },
  {
    query: `# Find actors by any of their names (transliterations included).
query FindActors($search: String!) {
  actors(search: $search) { nodes { name kind aliases description } }
}`,
    variables: '{\n  "search": "Hladkov"\n}',
  },
];
