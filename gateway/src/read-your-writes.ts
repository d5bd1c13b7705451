// Read your own writes when subgraphs read from replicas: for READ_YOUR_WRITES_MS after a
// caller's mutation, that caller's queries ask every subgraph to read from its primary, so a
// replica's lag never shows them the graph from before their write. Everyone else keeps reading
// from replicas. Kept in Redis when configured, so that the next request may reach any replica
// of the gateway.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Redis } from 'ioredis';
import type { Logger } from '@newsfacts/platform/logger';
import type { GatewayContext } from './context';
import { quotaSubject } from './security/principal';

export interface RecentWriters {
  wrote(subject: string): Promise<void>;
  hasWritten(subject: string): Promise<boolean>;
}

export class MemoryRecentWriters implements RecentWriters {
  private readonly until = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  async wrote(subject: string) {
    const now = Date.now();
    // Forget the expired now and then, so that the map holds only recent writers.
    if (this.until.size > 10_000) for (const [key, at] of this.until) if (at <= now) this.until.delete(key);
    this.until.set(subject, now + this.windowMs);
  }

  async hasWritten(subject: string) {
    return (this.until.get(subject) ?? 0) > Date.now();
  }
}

export class RedisRecentWriters implements RecentWriters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  async wrote(subject: string) {
    await this.redis.set(`${this.prefix}:wrote:${subject}`, '1', 'PX', this.windowMs);
  }

  async hasWritten(subject: string) {
    return (await this.redis.exists(`${this.prefix}:wrote:${subject}`)) === 1;
  }
}

export function readYourWrites(writers: RecentWriters, logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const subject = quotaSubject(contextValue.principal);
      // Unknown (Redis unreachable) reads from the primary: always correct, only slower.
      contextValue.readPrimary = await writers.hasWritten(subject).catch(() => true);
      return {
        async willSendResponse({ operation }) {
          if (operation?.operation !== 'mutation') return;
          await writers.wrote(subject).catch((error: unknown) => {
            logger.warn({ err: error }, 'could not note a write for read-your-writes');
          });
        },
      };
    },
  };
}
