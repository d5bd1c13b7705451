import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { createRoot } from 'react-dom/client';
import { EXAMPLES } from './examples';

// Same origin as the gateway: no URL to configure, nothing fetched from anywhere else.
const fetcher = createGraphiQLFetcher({ url: new URL('/graphql', window.location.href).toString() });
const explorer = explorerPlugin();

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[HISTORY_PLUGIN, explorer]}
    defaultTabs={EXAMPLES.map(({ query, variables }) => ({ query, variables }))}
    // GraphiQL fills the first tab's editors from these, not from defaultTabs.
    initialQuery={EXAMPLES[0]!.query}
    initialVariables={EXAMPLES[0]!.variables}
    defaultEditorToolsVisibility="variables"
  />,
);
