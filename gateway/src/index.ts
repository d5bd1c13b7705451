import { ConfigError } from '@newsfacts/platform/config';
import { listen, onShutdownSignal } from '@newsfacts/platform/http';
import { createLogger } from '@newsfacts/platform/logger';
import { loadGatewayConfig } from './config';
import { createGatewayServer } from './server';

async function main() {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const server = await createGatewayServer(config, logger);
  const running = await listen(server.app, config.port, config.host);
  logger.info({ url: `${running.url}/graphql`, subgraphs: config.subgraphUrls }, `gateway ready at ${running.url}/graphql`);
  onShutdownSignal(logger, async () => {
    await running.close();
    await server.stop();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway: ${error instanceof ConfigError ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
  process.exit(1);
});
