// The alert rules (deploy/base/platform/alerts.yaml, a PrometheusRule) through promtool: they
// parse, and its unit tests (deploy/alerts.promtool.yaml) make each alert fire on the series
// that should wake someone and stay quiet on a healthy service.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const here = path.dirname(new URL(import.meta.url).pathname);
const rule = parse(fs.readFileSync(path.join(here, 'base/platform/alerts.yaml'), 'utf8')) as {
  kind: string;
  spec: { groups: Array<{ rules: Array<{ alert: string }> }> };
};
const unitTests = fs.readFileSync(path.join(here, 'alerts.promtool.yaml'), 'utf8');
let dir: string;

const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

beforeAll(() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error("promtool is missing: install Debian's prometheus package (apt-get install prometheus)");
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-alerts-'));
  // promtool reads plain rule groups: the PrometheusRule's spec.
  fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify(rule.spec));
  fs.writeFileSync(path.join(dir, 'tests.yaml'), unitTests);
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the alert rules', () => {
  it('are valid Prometheus rules', () => {
    const check = promtool('check', 'rules', 'rules.yaml');
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it('fire, and stay quiet, as their unit tests say', () => {
    const test = promtool('test', 'rules', 'tests.yaml');
    expect(test.status, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/SUCCESS/);
  });

  it('each have a unit test that expects them to fire', () => {
    const alerts = rule.spec.groups.flatMap((group) => group.rules.map((each) => each.alert));
    expect(alerts.length).toBeGreaterThan(0);
    const tested = parse(unitTests) as {
      tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
    };
    const firing = new Set(
      tested.tests.flatMap((test) =>
        test.alert_rule_test.filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname),
      ),
    );
    expect(alerts.filter((alert) => !firing.has(alert))).toEqual([]);
  });
});
