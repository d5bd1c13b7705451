// The Grafana dashboard and the alert rules ask only for metrics the services serve: every
// `newsfacts_*` name in them is one the code registers (or one of prom-client's default process
// metrics, which every service collects with that prefix).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const here = path.join(root, 'deploy');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const registered = new Set(
  ['gateway/src', 'packages/platform/src', 'services'].flatMap((dir) =>
    sources(path.join(root, dir)).flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/name: '(newsfacts_[a-z0-9_]+)'/g)].map((match) => match[1]!),
    ),
  ),
);
// prom-client's collectDefaultMetrics, with the prefix the services give it.
const DEFAULTS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds'];
for (const name of DEFAULTS) registered.add(`newsfacts_${name}`);

/** The metric names an expression reads, histogram and summary suffixes taken off. */
const metricsIn = (expression: string) =>
  [...expression.matchAll(/newsfacts_[a-z0-9_]+/g)].map((match) => match[0].replace(/_(bucket|count|sum)$/, ''));

describe('the Grafana dashboard', () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(here, 'base/platform/dashboards/newsfacts.json'), 'utf8')) as {
    uid: string;
    panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  };

  it('has panels, each with a query', () => {
    expect(dashboard.uid).toBe('newsfacts-federation');
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });

  it('reads only metrics the services register', () => {
    const unknown = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => metricsIn(target.expr).filter((name) => !registered.has(name))),
    );
    expect(unknown).toEqual([]);
  });
});

describe('the alert rules', () => {
  it('read only metrics the services register', () => {
    const rules = fs.readFileSync(path.join(here, 'base/platform/alerts.yaml'), 'utf8');
    expect(metricsIn(rules).filter((name) => !registered.has(name))).toEqual([]);
  });
});
