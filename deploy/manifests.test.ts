// The Kubernetes manifests, checked without a cluster: each overlay is rendered with
// `kubectl kustomize`, every object is validated against the Kubernetes schemas, and the rules
// the deployment depends on are checked on what would be applied.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { Ingress, type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DATABASES, SUBGRAPHS } from '@newsfacts/platform/service-config';

const deployDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(deployDir, '..');

/** The one image the Dockerfile builds, and the folders it copies into /app (its WORKDIR). */
const IMAGE = 'newsfacts';
const IMAGE_FOLDERS = ['scripts', 'services', 'gateway', 'packages', 'prisma'];
/** Images from elsewhere, by container name: pinned to a version, never `latest`. */
const THIRD_PARTY_IMAGES: Record<string, string> = { redis: 'redis' };
/** Deployments that run one replica by design, so have no autoscaler or disruption budget. */
const SINGLE_INSTANCE: Record<string, string> = { redis: 'quota counters; replicas would count apart' };
/** How long listen()'s close() lets in-flight requests finish after the grace (packages/platform/src/http.ts). */
const DRAIN_TIMEOUT_MS = 10_000;
/** DATABASE_POOL_SIZE's default, which the migrate Job runs with. */
const DEFAULT_POOL_SIZE = 10;
/** PostgreSQL connections kept for superusers and CloudNativePG's instance manager. */
const RESERVED_CONNECTIONS = 10;
/** Argo CD's order of the stages, and the kubectl order deploy/README.md gives. */
const STAGES = {
  platform: { wave: '-1' },
  migrate: { hook: 'Sync', wave: '0' },
  apps: { wave: '1' },
  seed: { hook: 'PostSync' },
};

interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
type Model = new (data?: KubeObject) => { apiVersion: string; kind: string; validate(): void };

// The schema of each kind, found by the apiVersion and kind each model sets on a new object.
const MODELS: Record<string, Model> = Object.fromEntries(
  (
    [
      Namespace,
      ServiceAccount,
      ConfigMap,
      Secret,
      Service,
      Deployment,
      Job,
      HorizontalPodAutoscaler,
      PodDisruptionBudget,
      NetworkPolicy,
      Ingress,
      ServiceMonitor,
      PrometheusRule,
    ] as unknown as Model[]
  ).map((Model) => {
    const { apiVersion, kind } = new Model();
    return [`${apiVersion}/${kind}`, Model];
  }),
);

interface CnpgCluster extends KubeObject {
  spec: {
    instances: number;
    imageName?: string;
    postgresql?: { parameters?: Record<string, string> };
    bootstrap: {
      initdb: { database: string; owner: string; secret?: { name: string }; postInitApplicationSQL?: string[] };
    };
    storage: { size: string };
  };
}

/** CloudNativePG publishes no model: the fields these manifests rely on, checked by hand. */
function validateCnpgCluster(object: KubeObject): void {
  const { spec } = object as CnpgCluster;
  expect(spec, 'Cluster.spec').toBeTypeOf('object');
  expect(Number.isInteger(spec.instances) && spec.instances >= 1, 'Cluster.spec.instances').toBe(true);
  expect(spec.storage?.size, 'Cluster.spec.storage.size').toMatch(/^\d+(Mi|Gi|Ti)$/);
  const { initdb } = spec.bootstrap ?? {};
  expect(initdb?.database, 'Cluster.spec.bootstrap.initdb.database').toMatch(/^\w+$/);
  expect(initdb?.owner, 'Cluster.spec.bootstrap.initdb.owner').toMatch(/^\w+$/);
  expect(initdb?.secret?.name, 'Cluster.spec.bootstrap.initdb.secret.name').toBeTypeOf('string');
  for (const value of Object.values(spec.postgresql?.parameters ?? {})) expect(value).toBeTypeOf('string');
}

function render(overlay: string): KubeObject[] {
  // Not skipped when kubectl is missing: an unrendered manifest is an untested one.
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', path.join(deployDir, 'overlays', overlay)], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'kubectl is not on PATH: the manifests are rendered with `kubectl kustomize` (checked with kubectl 1.32)',
        {
          cause: error,
        },
      );
    throw error;
  }
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length) throw document.errors[0];
    const object = document.toJS() as KubeObject;
    // Kustomize wraps long base64 values over lines, which the API server's decoder skips and
    // the schema's `byte` format does not.
    if (object.kind === 'Secret' && object.data)
      for (const [key, value] of Object.entries(object.data as Record<string, string>))
        (object.data as Record<string, string>)[key] = value.replace(/\s+/g, '');
    return object;
  });
}

function matches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]!);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]!);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          throw new Error(`unknown selector operator ${operator}`);
      }
    })
  );
}

interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ports: Array<{ name?: string; containerPort: number }>;
}

/**
 * Whether a connection from one pod to another's port is admitted, as a NetworkPolicy
 * implementation decides: a pod no Ingress policy selects takes anything; a selected pod takes
 * what one of its policies' rules admits.
 */
function admitted(policies: INetworkPolicy[], from: Pod, to: Pod, port: number): boolean {
  const namespaceLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });
  const selecting = policies.filter(
    (policy) =>
      policy.metadata?.namespace === to.namespace &&
      (policy.spec?.policyTypes ?? ['Ingress']).includes('Ingress') &&
      matches(policy.spec?.podSelector as LabelSelector, to.labels),
  );
  if (!selecting.length) return true;
  return selecting.some((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => {
      const fromOk =
        !rule.from?.length ||
        rule.from.some((peer) => {
          if (peer.ipBlock) return false;
          const namespaceOk = peer.namespaceSelector
            ? matches(peer.namespaceSelector as LabelSelector, namespaceLabels(from.namespace))
            : from.namespace === to.namespace;
          const podOk = peer.podSelector ? matches(peer.podSelector as LabelSelector, from.labels) : true;
          return namespaceOk && podOk;
        });
      const portOk =
        !rule.ports?.length ||
        rule.ports.some((allowed) =>
          typeof allowed.port === 'string'
            ? to.ports.some((declared) => declared.name === allowed.port && declared.containerPort === port)
            : allowed.port === undefined || allowed.port === port,
        );
      return fromOk && portOk;
    }),
  );
}

interface Workload {
  object: KubeObject;
  pod: IPodSpec;
  labels: Record<string, string>;
}

function workloads(objects: KubeObject[]): Workload[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'Job')
    .map((object) => {
      const template = (object as unknown as IDeployment | IJob).spec!.template;
      return { object, pod: template.spec!, labels: (template.metadata?.labels ?? {}) as Record<string, string> };
    });
}

const imageName = (image: string) => image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
const envVar = (container: IContainer, name: string): IEnvVar | undefined =>
  container.env?.find((variable) => variable.name === name);

describe.each([
  { overlay: 'dev', namespace: 'newsfacts-dev', instances: 1 },
  { overlay: 'production', namespace: 'newsfacts', instances: 3 },
])('deploy/overlays/$overlay', ({ overlay, namespace, instances }) => {
  let objects: KubeObject[];
  const all = (kind: string) => objects.filter((object) => object.kind === kind);
  const named = <T>(kind: string, name: string) => {
    const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in the ${overlay} overlay`);
    return found as unknown as T;
  };
  const deployments = () => all('Deployment') as unknown as IDeployment[];
  const appContainer = (name: string) => {
    const container = named<IDeployment>('Deployment', name).spec!.template.spec!.containers[0];
    if (!container) throw new Error(`Deployment ${name} has no container`);
    return container;
  };
  // The settings' ConfigMap; the other one holds the Grafana dashboard.
  const config = () => {
    const maps = (all('ConfigMap') as unknown as IConfigMap[]).filter(
      (map) => !map.metadata?.labels?.grafana_dashboard,
    );
    expect(maps).toHaveLength(1);
    return maps[0]!;
  };
  const hpaFor = (name: string) =>
    (all('HorizontalPodAutoscaler') as unknown as IHorizontalPodAutoscaler[]).find(
      (hpa) => hpa.spec?.scaleTargetRef.kind === 'Deployment' && hpa.spec.scaleTargetRef.name === name,
    );
  /** The gateway and the subgraphs: every process that serves HTTP, with its port. */
  const services = [{ name: 'gateway', port: 4000 }].concat(
    Object.entries(SUBGRAPHS).map(([name, { defaultPort }]) => ({ name, port: defaultPort })),
  );

  let renderError: unknown;
  beforeAll(() => {
    try {
      objects = render(overlay);
    } catch (error) {
      renderError = error;
    }
  });
  // Each test fails on its own when the overlay cannot be rendered (kubectl missing included),
  // rather than the whole file reporting its tests as skipped.
  beforeEach(() => {
    if (renderError) throw renderError;
  });

  it('renders objects that each validate against their schema', () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      const key = `${object.apiVersion}/${object.kind}`;
      const what = `${key} ${object.metadata?.name}`;
      if (key === 'postgresql.cnpg.io/v1/Cluster') validateCnpgCluster(object);
      else {
        const Model = MODELS[key];
        if (!Model) throw new Error(`${what}: no schema to validate it against; add its model to MODELS`);
        expect(() => new Model(object).validate(), what).not.toThrow();
      }
      if (object.kind !== 'Namespace') expect(object.metadata.namespace, what).toBe(namespace);
    }
  });

  it('labels every object with its stage, in the order Argo CD syncs them', () => {
    for (const object of objects) {
      const what = `${object.kind} ${object.metadata.name}`;
      const stage = object.metadata.labels?.['newsfacts.io/stage'] as keyof typeof STAGES | undefined;
      expect(Object.keys(STAGES), `${what}: newsfacts.io/stage`).toContain(stage);
      const expected = STAGES[stage!];
      const annotations = object.metadata.annotations ?? {};
      expect(annotations['argocd.argoproj.io/hook'], what).toBe('hook' in expected ? expected.hook : undefined);
      expect(annotations['argocd.argoproj.io/sync-wave'], what).toBe('wave' in expected ? expected.wave : undefined);
      // A hook Job has a fixed name and an immutable template: it must be replaced, not updated.
      if ('hook' in expected)
        expect(annotations['argocd.argoproj.io/hook-delete-policy'], what).toBe('BeforeHookCreation');
    }
  });

  it('runs the newsfacts image, with an entry point that exists in it, in every container', () => {
    for (const { object, pod } of workloads(objects)) {
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        const what = `${object.kind} ${object.metadata.name}, container ${container.name}`;
        const image = container.image ?? '';
        const thirdParty = THIRD_PARTY_IMAGES[container.name];
        if (thirdParty) {
          expect(imageName(image), what).toBe(thirdParty);
          expect(image, `${what}: a pinned version`).toMatch(/:(?!latest$)[\w.-]+$/);
          continue;
        }
        expect(imageName(image), what).toBe(IMAGE);
        expect(image, `${what}: a tag or digest set by the overlay`).toMatch(
          /(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$/,
        );
        expect(container.workingDir ?? '/app', what).toBe('/app');
        const [node, importFlag, loader, entry] = container.command ?? [];
        expect([node, importFlag, loader], what).toEqual(['node', '--import', 'tsx']);
        expect(IMAGE_FOLDERS, `${what}: ${entry} is copied into the image`).toContain(entry?.split('/')[0]);
        expect(fs.existsSync(path.join(repoRoot, entry!)), `${what}: ${entry} exists`).toBe(true);
        expect(container.args, what).toBeUndefined();
      }
    }
  });

  it('locks down, sizes and probes every container', () => {
    for (const { object, pod } of workloads(objects)) {
      const what = `${object.kind} ${object.metadata.name}`;
      expect(pod.automountServiceAccountToken, `${what}: automountServiceAccountToken`).toBe(false);
      // Service links would set EVENTS_PORT=tcp://… and the like, which the services read as settings.
      expect(pod.enableServiceLinks, `${what}: enableServiceLinks`).toBe(false);
      expect(pod.securityContext?.runAsNonRoot, `${what}: runAsNonRoot`).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type, `${what}: seccompProfile`).toBe('RuntimeDefault');
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        const where = `${what}, container ${container.name}`;
        const security = container.securityContext;
        expect(security?.allowPrivilegeEscalation, `${where}: allowPrivilegeEscalation`).toBe(false);
        expect(security?.readOnlyRootFilesystem, `${where}: readOnlyRootFilesystem`).toBe(true);
        expect(security?.capabilities?.drop, `${where}: capabilities.drop`).toContain('ALL');
        expect(security?.privileged, `${where}: privileged`).not.toBe(true);
        for (const kind of ['requests', 'limits'] as const)
          for (const resource of ['cpu', 'memory'])
            expect(container.resources?.[kind]?.[resource], `${where}: resources.${kind}.${resource}`).toBeDefined();
        if (object.kind === 'Deployment') {
          expect(container.livenessProbe, `${where}: livenessProbe`).toBeDefined();
          expect(container.readinessProbe, `${where}: readinessProbe`).toBeDefined();
        }
        if (imageName(container.image ?? '') === IMAGE) {
          // The image's `node` user; tsx needs a writable temp directory on a read-only root.
          expect(security?.runAsUser ?? pod.securityContext?.runAsUser, `${where}: runAsUser`).toBe(1000);
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          expect(tmp, `${where}: /tmp mounted`).toBeDefined();
          expect(pod.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir, `${where}: /tmp`).toBeDefined();
        }
      }
    }
    for (const name of services.map((service) => service.name)) {
      const container = appContainer(name);
      expect(container.livenessProbe?.httpGet?.path, `${name}: liveness`).toBe('/healthz');
      expect(container.readinessProbe?.httpGet?.path, `${name}: readiness`).toBe('/readyz');
    }
  });

  it('wires each service as its configuration is read', () => {
    const configMap = config();
    const fromConfig = (container: IContainer, key: string) =>
      container.envFrom?.some((source) => source.configMapRef?.name === configMap.metadata?.name) &&
      configMap.data?.[key] !== undefined;
    const fromSecret = (container: IContainer, name: string, secret: string) => {
      const ref = envVar(container, name)?.valueFrom?.secretKeyRef;
      return ref?.name === secret && ref.key === name;
    };
    for (const { name, port } of services) {
      const container = appContainer(name);
      const prefix = name.toUpperCase();
      expect(container.ports?.find((declared) => declared.name === 'http')?.containerPort, name).toBe(port);
      expect(envVar(container, `${prefix}_PORT`)?.value, name).toBe(String(port));
      expect(envVar(container, 'HOST')?.value, name).toBe('0.0.0.0');
      expect(envVar(container, 'NODE_ENV')?.value, name).toBe('production');
      expect(fromSecret(container, `${prefix}_DATABASE_URL`, 'newsfacts-database'), `${name}: database URL`).toBe(true);
      expect(fromSecret(container, 'SUBGRAPH_SIGNING_SECRET', 'newsfacts-signing'), `${name}: signing`).toBe(true);
      expect(fromSecret(container, 'METRICS_TOKEN', 'newsfacts-metrics'), `${name}: metrics token`).toBe(true);
      for (const key of ['SHUTDOWN_GRACE_MS', 'LOG_LEVEL', 'SUBGRAPH_TIMEOUT_MS', 'DATABASE_POOL_SIZE'])
        expect(fromConfig(container, key), `${name}: ${key} from ${configMap.metadata?.name}`).toBe(true);
      // Every process knows where every subgraph answers, through that subgraph's Service.
      for (const subgraph of Object.keys(SUBGRAPHS)) {
        const url = new URL(envVar(container, `${subgraph.toUpperCase()}_URL`)?.value ?? 'http://unset');
        const target = services.find((service) => service.name === subgraph)!;
        expect(url.href, `${name}: ${subgraph.toUpperCase()}_URL`).toBe(`http://${subgraph}:${target.port}/graphql`);
        const service = named<IService>('Service', subgraph);
        const servicePort = service.spec?.ports?.find((declared) => declared.port === target.port);
        expect(servicePort?.targetPort, `Service ${subgraph}`).toBe('http');
        expect(
          matches(
            { matchLabels: service.spec?.selector },
            named<IDeployment>('Deployment', subgraph).spec!.template.metadata?.labels,
          ),
        ).toBe(true);
      }
    }
    expect(configMap.data?.ANONYMOUS_ACCESS).toBe('off');
    const redisUrl = new URL(envVar(appContainer('gateway'), 'REDIS_URL')?.value ?? 'redis://unset');
    expect(named<IService>('Service', redisUrl.hostname).spec?.ports?.map((declared) => declared.port)).toContain(
      Number(redisUrl.port),
    );
  });

  it('gives every Deployment a Service, an autoscaler and a disruption budget', () => {
    for (const deployment of deployments()) {
      const name = deployment.metadata!.name!;
      const podLabels = deployment.spec!.template.metadata?.labels;
      expect(matches(deployment.spec!.selector as LabelSelector, podLabels), `${name}: selector`).toBe(true);
      expect(
        (all('Service') as unknown as IService[]).some((service) =>
          matches({ matchLabels: service.spec?.selector }, podLabels),
        ),
        `${name}: Service`,
      ).toBe(true);
      if (SINGLE_INSTANCE[name]) {
        expect(deployment.spec!.replicas, name).toBe(1);
        continue;
      }
      // The autoscaler owns the replica count; a Deployment that set one would reset it on every apply.
      expect(deployment.spec!.replicas, `${name}: replicas left to the autoscaler`).toBeUndefined();
      const hpa = hpaFor(name);
      expect(hpa, `${name}: HorizontalPodAutoscaler`).toBeDefined();
      expect(hpa!.apiVersion).toBe('autoscaling/v2');
      expect(hpa!.spec!.metrics?.length, `${name}: autoscaling metric`).toBeGreaterThan(0);
      expect(hpa!.spec!.minReplicas ?? 1, name).toBeGreaterThanOrEqual(overlay === 'production' ? 2 : 1);
      expect(hpa!.spec!.maxReplicas, name).toBeGreaterThanOrEqual(hpa!.spec!.minReplicas ?? 1);
      const budgets = (all('PodDisruptionBudget') as unknown as IPodDisruptionBudget[]).filter((pdb) =>
        matches(pdb.spec?.selector as LabelSelector, podLabels),
      );
      expect(budgets, `${name}: PodDisruptionBudget`).toHaveLength(1);
    }
    expect(
      deployments()
        .map((deployment) => deployment.metadata!.name)
        .sort(),
    ).toEqual([...services.map((service) => service.name), ...Object.keys(SINGLE_INSTANCE)].sort());
  });

  it('lets a pod finish its shutdown grace and drain before it is killed', () => {
    const graceMs = Number(config().data?.SHUTDOWN_GRACE_MS);
    expect(graceMs, 'SHUTDOWN_GRACE_MS').toBeGreaterThan(0);
    for (const { name } of services) {
      const pod = named<IDeployment>('Deployment', name).spec!.template.spec!;
      const preStopSleepMs = (pod.containers[0]?.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
      expect(pod.terminationGracePeriodSeconds, `${name}: terminationGracePeriodSeconds`).toBeDefined();
      expect(pod.terminationGracePeriodSeconds! * 1000, name).toBeGreaterThan(
        preStopSleepMs + graceMs + DRAIN_TIMEOUT_MS,
      );
    }
  });

  it('migrates every database before the rollout and seeds through the imports service after it', () => {
    const migrate = named<IJob>('Job', 'migrate').spec!.template.spec!;
    expect(migrate.containers[0]?.command?.slice(3)).toEqual(['scripts/db.ts', 'migrate']);
    expect(migrate.restartPolicy).toBe('Never');
    const sources = migrate.containers[0]?.envFrom?.map((source) => source.secretRef?.name);
    expect(sources).toEqual(['newsfacts-database']);
    const seed = named<IJob>('Job', 'seed').spec!.template.spec!;
    const seeder = seed.containers[0]!;
    expect(seeder.command?.slice(3)).toEqual(['scripts/seed.ts']);
    expect(envVar(seeder, 'IMPORTS_URL')?.value).toBe('http://imports:4004/graphql');
    expect(envVar(seeder, 'SUBGRAPH_SIGNING_SECRET')?.valueFrom?.secretKeyRef).toEqual({
      name: 'newsfacts-signing',
      key: 'SUBGRAPH_SIGNING_SECRET',
    });
  });

  it('runs PostgreSQL as one CloudNativePG cluster holding every database, with room for every pool', () => {
    const clusters = all('Cluster') as CnpgCluster[];
    expect(clusters).toHaveLength(1);
    const { spec, metadata } = clusters[0]!;
    expect(spec.instances).toBe(instances);
    const { initdb } = spec.bootstrap;
    const created = [
      initdb.database,
      ...(initdb.postInitApplicationSQL ?? []).map((sql) => {
        const [, name, owner] = /^CREATE DATABASE (\w+) OWNER (\w+)$/.exec(sql) ?? [];
        expect(owner, sql).toBe(initdb.owner);
        return name;
      }),
    ];
    expect(created.sort()).toEqual(DATABASES.map((name) => `newsfacts_${name}`).sort());

    const poolSize = Number(config().data?.DATABASE_POOL_SIZE);
    const atMost = services.reduce((sum, { name }) => sum + hpaFor(name)!.spec!.maxReplicas * poolSize, 0);
    const maxConnections = Number(spec.postgresql?.parameters?.max_connections ?? 100);
    expect(atMost + DEFAULT_POOL_SIZE + RESERVED_CONNECTIONS, 'connections at full scale').toBeLessThanOrEqual(
      maxConnections,
    );

    // Every database URL the services are given points at the primary's Service.
    const urls = all('Secret').find((secret) => secret.metadata.name === 'newsfacts-database') as ISecret | undefined;
    const keys = DATABASES.map((name) => `${name.toUpperCase()}_DATABASE_URL`);
    if (urls) {
      expect(Object.keys(urls.stringData ?? urls.data ?? {}).sort()).toEqual([...keys].sort());
      for (const [key, encoded] of Object.entries(urls.data ?? {})) {
        const url = new URL(Buffer.from(encoded, 'base64').toString());
        expect(url.hostname, key).toBe(`${metadata.name}-rw`);
        expect(url.pathname, key).toBe(`/newsfacts_${key.replace('_DATABASE_URL', '').toLowerCase()}`);
      }
    }
    // Where the Secret is created by hand, deploy/README.md says how, with every key.
    const readme = fs.readFileSync(path.join(deployDir, 'README.md'), 'utf8');
    for (const key of keys) expect(readme, `deploy/README.md documents ${key}`).toContain(`--from-literal=${key}=`);
    expect(readme).toContain(`${metadata.name}-rw`);
  });

  it('keeps secret values out of the manifests', () => {
    const secrets = all('Secret') as unknown as ISecret[];
    if (overlay === 'production') expect(secrets.map((secret) => secret.metadata?.name)).toEqual([]);
    for (const secret of secrets) {
      expect(secret.metadata?.labels?.['newsfacts.io/dev-only'], secret.metadata?.name).toBe('true');
      for (const [key, encoded] of Object.entries(secret.data ?? {}))
        if (key !== 'username') expect(Buffer.from(encoded, 'base64').toString(), key).toContain('dev-only');
    }
    for (const key of Object.keys(config().data ?? {}))
      expect(key, 'a secret in the ConfigMap').not.toMatch(/SECRET|TOKEN|PASSWORD|DATABASE_URL/);
  });

  it('scrapes /metrics of the gateway and every subgraph with the metrics token', () => {
    const [monitor] = all('ServiceMonitor') as unknown as ServiceMonitor[];
    const endpoint = monitor?.spec.endpoints?.[0];
    expect(endpoint?.path).toBe('/metrics');
    expect(endpoint?.authorization?.credentials).toEqual({ name: 'newsfacts-metrics', key: 'METRICS_TOKEN' });
    for (const { name } of services) {
      const service = named<IService>('Service', name);
      expect(
        matches(monitor?.spec.selector as LabelSelector, service.metadata?.labels),
        `Service ${name} scraped`,
      ).toBe(true);
      expect(service.spec?.ports?.map((port) => port.name)).toContain(endpoint?.port);
    }
  });

  it('exposes the gateway only', () => {
    for (const service of all('Service') as unknown as IService[])
      expect(service.spec?.type ?? 'ClusterIP', service.metadata?.name).toBe('ClusterIP');
    const ingresses = all('Ingress') as unknown as IIngress[];
    expect(ingresses.length).toBe(overlay === 'production' ? 1 : 0);
    for (const ingress of ingresses) {
      const backends = (ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? []);
      expect(backends.map((backend) => backend.backend.service?.name)).toEqual(['gateway']);
      expect(ingress.spec?.tls?.length, 'TLS').toBeGreaterThan(0);
    }
  });

  describe('network policies', () => {
    let policies: INetworkPolicy[];
    let pods: Record<string, Pod>;
    const open = (from: string, to: string, port: number) => admitted(policies, pods[from]!, pods[to]!, port);
    const portOf = (name: string) => services.find((service) => service.name === name)!.port;
    const subgraphs = Object.keys(SUBGRAPHS);

    beforeAll(() => {
      if (renderError) return;
      policies = all('NetworkPolicy') as unknown as INetworkPolicy[];
      pods = Object.fromEntries(
        workloads(objects).map(({ object, pod, labels }) => [
          object.metadata.name,
          {
            name: object.metadata.name,
            namespace,
            labels,
            ports: pod.containers.flatMap((container) => container.ports ?? []),
          },
        ]),
      );
      const cluster = all('Cluster')[0]!.metadata.name;
      const others: Pod[] = [
        {
          name: 'postgres',
          namespace,
          labels: { 'cnpg.io/cluster': cluster },
          ports: [{ containerPort: 5432 }, { containerPort: 8000 }],
        },
        { name: 'stranger', namespace, labels: { app: 'stranger' }, ports: [] },
        { name: 'prometheus', namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [] },
        {
          name: 'ingress-controller',
          namespace: 'ingress-nginx',
          labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
          ports: [],
        },
        {
          name: 'cnpg-operator',
          namespace: 'cnpg-system',
          labels: { 'app.kubernetes.io/name': 'cloudnative-pg' },
          ports: [],
        },
        { name: 'elsewhere', namespace: 'other-team', labels: {}, ports: [] },
      ];
      for (const pod of others) pods[pod.name] = pod;
    });

    it('deny ingress to every pod unless a policy admits it', () => {
      const denyAll = policies.find(
        (policy) =>
          Object.keys(policy.spec?.podSelector ?? {}).length === 0 &&
          policy.spec?.policyTypes?.includes('Ingress') &&
          !policy.spec.ingress?.length,
      );
      expect(denyAll, 'a default-deny ingress policy').toBeDefined();
      expect(open('stranger', 'redis', 6379)).toBe(false);
    });

    it('let the gateway in from the ingress controller, and in production from nowhere else', () => {
      expect(open('ingress-controller', 'gateway', 4000)).toBe(true);
      expect(open('elsewhere', 'gateway', 4000)).toBe(overlay === 'dev');
      expect(open('stranger', 'gateway', 4000)).toBe(overlay === 'dev');
    });

    it('let the subgraphs in from the gateway and each other only, and the imports service from the seed Job', () => {
      for (const subgraph of subgraphs) {
        const port = portOf(subgraph);
        expect(open('gateway', subgraph, port), `gateway -> ${subgraph}`).toBe(true);
        for (const peer of subgraphs) expect(open(peer, subgraph, port), `${peer} -> ${subgraph}`).toBe(true);
        for (const outsider of ['stranger', 'migrate', 'elsewhere', 'ingress-controller'])
          expect(open(outsider, subgraph, port), `${outsider} -> ${subgraph}`).toBe(false);
        expect(open('seed', subgraph, port), `seed -> ${subgraph}`).toBe(subgraph === 'imports');
      }
    });

    it('let Prometheus scrape the gateway and every subgraph', () => {
      for (const { name, port } of services) expect(open('prometheus', name, port), `prometheus -> ${name}`).toBe(true);
      expect(open('prometheus', 'postgres', 5432)).toBe(false);
    });

    it('let PostgreSQL and Redis be reached by those that use them', () => {
      for (const client of [...services.map((service) => service.name), 'migrate', 'postgres'])
        expect(open(client, 'postgres', 5432), `${client} -> postgres`).toBe(true);
      for (const outsider of ['seed', 'stranger', 'elsewhere', 'prometheus'])
        expect(open(outsider, 'postgres', 5432), `${outsider} -> postgres`).toBe(false);
      expect(open('cnpg-operator', 'postgres', 8000)).toBe(true);
      expect(open('gateway', 'redis', 6379)).toBe(true);
      for (const other of [...subgraphs, 'seed']) expect(open(other, 'redis', 6379), `${other} -> redis`).toBe(false);
    });
  });
});
