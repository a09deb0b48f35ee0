// The deployment files, checked as far as this machine can without a container engine: the Prometheus config
// by promtool, every dashboard query against the metrics the code exports (and as PromQL, by promtool), the
// compose file's services, variables and mounts, and the Dockerfile's stages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/adapters/metrics/prometheus-metrics.ts';
import { ENV_VARIABLES } from '../../src/config.ts';
import { promtool } from '../helpers/promtool.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEPLOY = path.join(ROOT, 'deploy');
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');

/** Variables of the original design that the compose file sets before the code reads them (README says so). */
const LATER = ['SECRET_KEY'];

interface Panel { title: string; type: string; datasource?: { uid: string }; targets?: Array<{ expr: string; datasource?: { uid: string } }> }
const dashboard = JSON.parse(read('grafana/dashboards/twisterlab.json')) as { uid: string; panels: Panel[] };
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

async function exportedSeries(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await createMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    if (String(metric.type) === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

const metricNames = (expr: string) => [...expr.matchAll(/\btwisterlab_[a-z0-9_]+/g)].map((m) => m[0]);

describe('Prometheus configuration', () => {
  it('passes promtool check config', async () => {
    const { code, output } = await promtool(['check', 'config', path.join(DEPLOY, 'prometheus.yml')]);
    expect(output).toMatch(/SUCCESS/);
    expect(code).toBe(0);
  });

  it('scrapes every worker replica on the port it serves /metrics on', () => {
    const config = parse(read('prometheus.yml')) as { scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }> };
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string> }> };
    const workers = config.scrape_configs.find((j) => j.job_name === 'twisterlab-workers')!.dns_sd_configs![0]!;
    expect(workers.names).toEqual(['worker']);
    expect(compose.services.worker!.command).toEqual(['worker']);
    expect(compose.services.worker!.environment!.TWISTERLAB_WORKER_METRICS_PORT).toBe(String(workers.port));
  });

  it('scrapes the api and mcp services of the compose file on the port they listen on', () => {
    const config = parse(read('prometheus.yml')) as { scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }> };
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const targets = config.scrape_configs.find((j) => j.job_name === 'twisterlab')!.static_configs!.flatMap((s) => s.targets);
    expect(targets).toEqual(['api:8000', 'mcp:8000']);
    for (const target of targets) {
      const [service, port] = target.split(':');
      expect(compose.services[service!]!.environment!.PORT).toBe(port);
    }
  });
});

describe('Prometheus alert rules for the platform itself', () => {
  const rules = parse(read('alerts.yml')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
  const alerts = rules.groups.flatMap((g) => g.rules);

  it('pass promtool check rules and are loaded by the Prometheus config compose mounts', async () => {
    const { code, output } = await promtool(['check', 'rules', path.join(DEPLOY, 'alerts.yml')]);
    expect(output).toMatch(/SUCCESS: 5 rules found/);
    expect(code).toBe(0);
    expect((parse(read('prometheus.yml')) as { rule_files: string[] }).rule_files).toEqual(['alerts.yml']);
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { volumes: string[] }> };
    expect(compose.services.prometheus!.volumes).toContain('./alerts.yml:/etc/prometheus/alerts.yml:ro');
  });

  it('fire and stay quiet as their unit tests say (promtool test rules)', async () => {
    const { code, output } = await promtool(['test', 'rules', path.join(DEPLOY, 'alerts.test.yml')]);
    expect(output).toMatch(/SUCCESS/);
    expect(code).toBe(0);
  });

  it('cover the store, the escalation rate, waiting approvals and the queue backlog, on metrics the code exports', async () => {
    expect(alerts.map((a) => a.alert).sort()).toEqual([
      'TwisterLabApprovalsWaiting', 'TwisterLabDown', 'TwisterLabEscalationRateHigh', 'TwisterLabQueueBacklog', 'TwisterLabStoreDown',
    ]);
    const exported = await exportedSeries();
    for (const alert of alerts) {
      for (const name of metricNames(alert.expr)) expect(exported.has(name), `${alert.alert} uses ${name}, which nothing exports`).toBe(true);
    }
  });
});

describe('Grafana dashboard', () => {
  it('queries only metrics the code exports', async () => {
    const exported = await exportedSeries();
    for (const panel of queryPanels) {
      expect(panel.targets?.length, `panel "${panel.title}" has no query`).toBeGreaterThan(0);
      for (const target of panel.targets!) {
        const names = metricNames(target.expr);
        expect(names.length, `panel "${panel.title}" queries no TwisterLab metric`).toBeGreaterThan(0);
        for (const name of names) expect(exported.has(name), `panel "${panel.title}" queries ${name}, which nothing exports`).toBe(true);
      }
    }
  });

  it('shows every TwisterLab metric (process metrics aside)', async () => {
    const queried = new Set(queryPanels.flatMap((p) => p.targets!.flatMap((t) => metricNames(t.expr))));
    const ours = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => !/^twisterlab_(process|nodejs)_/.test(n));
    for (const name of ours) {
      expect([...queried].some((q) => q === name || q.startsWith(`${name}_`)), `no panel shows ${name}`).toBe(true);
    }
  });

  it('writes valid PromQL in every panel (promtool check rules)', async () => {
    const rules = queryPanels.flatMap((p, i) => p.targets!.map((t, j) => ({
      record: `dashboard:panel_${i}_${j}`,
      expr: t.expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '6h').replaceAll('$__interval', '1m'),
    })));
    const dir = mkdtempSync(path.join(tmpdir(), 'twisterlab-rules-'));
    try {
      const file = path.join(dir, 'dashboard-rules.json');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const { code, output } = await promtool(['check', 'rules', file]);
      expect(output).toMatch(/SUCCESS/);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports into an existing Grafana: it asks for a Prometheus data source and every query uses it', () => {
    const full = JSON.parse(read('grafana/dashboards/twisterlab.json')) as {
      __inputs: Array<{ name: string; type: string; pluginId: string }>;
      templating: { list: Array<{ name: string; type: string; query: string; current: { value: string } }> };
    };
    expect(full.__inputs).toContainEqual(expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }));
    const variable = full.templating.list.find((v) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: 'prometheus', current: { value: '${DS_PROMETHEUS}' } });
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, `panel "${panel.title}"`).toBe('${datasource}');
      for (const target of panel.targets!) expect(target.datasource?.uid, `panel "${panel.title}"`).toBe('${datasource}');
    }
  });

  it('is provisioned from the folder compose mounts, with Prometheus as the default data source it resolves to', () => {
    const datasource = parse(read('grafana/provisioning/datasources/prometheus.yml')) as { datasources: Array<{ type: string; url: string; isDefault: boolean }> };
    expect(datasource.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    const provider = parse(read('grafana/provisioning/dashboards/twisterlab.yml')) as { providers: Array<{ options: { path: string } }> };
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, { volumes: string[] }> };
    expect(compose.services.grafana!.volumes).toContain(`./grafana/dashboards:${provider.providers[0]!.options.path}:ro`);
  });
});

interface Service {
  image?: string; build?: unknown; command?: string[]; profiles?: string[];
  environment?: Record<string, string>; volumes?: string[];
}

describe('compose file', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service> };
  const services = compose.services;
  const twisterlab = Object.entries(services).filter(([, s]) => s.build !== undefined);

  it('has the API, MCP, workers, PostgreSQL 15, Redis 7 with AOF and noeviction, Ollama, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'grafana', 'mcp', 'ollama', 'postgres', 'prometheus', 'redis', 'worker']);
    expect(services.postgres!.image).toMatch(/^postgres:15\b/);
    expect(services.redis!.image).toMatch(/^redis:7\b/);
    expect(services.redis!.command!.join(' ')).toMatch(/--appendonly yes/);
    expect(services.redis!.command!.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(services.ollama!.image).toMatch(/^ollama\/ollama:/);
    expect(twisterlab.map(([name]) => name).sort()).toEqual(['api', 'mcp', 'worker']);
  });

  it('sets only variables the code reads, plus the documented later ones, and all of the original design', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [name, service] of twisterlab) {
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(ENV_VARIABLES.includes(variable) || LATER.includes(variable), `${name} sets ${variable}, which nothing reads`).toBe(true);
      }
      for (const variable of ['DATABASE_URL', 'REDIS_URL', 'OLLAMA_BASE_URL', 'OLLAMA_MODEL', 'SECRET_KEY', 'API_KEY_HEADER']) {
        const set = Object.keys(service.environment ?? {});
        expect(set.includes(variable) || set.includes(`${variable}_FILE`), `${name} lacks ${variable}`).toBe(true);
      }
    }
    for (const variable of LATER) expect(readme, `README must say ${variable} takes effect later`).toMatch(new RegExp(`\`${variable}\`[^\\n]*later release`));
  });

  it('runs only commands the CLI has, outside profiles that are off by default', () => {
    const usage = spawnSync(process.execPath, [path.join(ROOT, 'bin/twisterlab.js'), '--help'], { encoding: 'utf8' }).stdout;
    const commands = new Set([...usage.matchAll(/^ {2}twisterlab ([a-z]+)/gm)].map((m) => m[1]));
    expect(commands).toContain('serve');
    for (const [name, service] of twisterlab) {
      if (!commands.has(service.command![0]!)) expect(service.profiles, `${name} runs "${service.command![0]}", which the CLI lacks`).toBeDefined();
    }
  });

  it('gives every secret as a file (Docker secrets), never as a value in the environment', () => {
    const all = parse(read('compose.yaml'), { merge: true }) as { secrets: Record<string, { file: string }>; services: Record<string, Service & { secrets?: string[] }> };
    for (const [name, service] of Object.entries(all.services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        expect(variable, `${name} sets a password or key directly`).not.toMatch(/^(DATABASE_URL|TWISTERLAB_API_KEYS|POSTGRES_PASSWORD|GF_SECURITY_ADMIN_PASSWORD)$/);
        expect(String(value), `${name}: ${variable} carries a password`).not.toMatch(/:\/\/[^/@\s]+:[^/@\s]+@/);
        if (/_FILE$/.test(variable)) {
          const secret = String(value).replace('/run/secrets/', '');
          expect(service.secrets ?? [], `${name} reads ${variable} from a secret it is not given`).toContain(secret);
          expect(all.secrets[secret]?.file).toBe(`./secrets/${secret}`);
        }
      }
    }
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^deploy\/secrets\/$/m);
  });

  it('publishes every port on loopback unless told otherwise', () => {
    const ports = Object.values(services).flatMap((service) => (service as { ports?: string[] }).ports ?? []);
    expect(ports.length).toBeGreaterThanOrEqual(4);
    for (const port of ports) expect(port).toMatch(/^\$\{TWISTERLAB_BIND_ADDRESS:-127\.0\.0\.1\}:/);
  });

  it('pins every image it pulls to a release', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      expect(service.image, `${name} image`).toMatch(/:v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$/);
    }
  });

  it('mounts files that exist in the repository', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(path.join(DEPLOY, source)), `${source} is missing`).toBe(true);
      }
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it('builds in one stage and runs as a non-root user in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(runtime).toMatch(/COPY --from=build \/app\/dist/);
    expect(runtime).toMatch(/ENTRYPOINT \["node", "dist\/src\/main\/cli\.js"\]/);
  });

  it('pins the Node release and ships what backups, the browser agent and the diagnostics run', () => {
    for (const stage of stages) expect(stage).toMatch(/^node:20\.\d+\.\d+-bookworm-slim /);
    const runtime = stages.at(-1)!;
    const installs = runtime.replaceAll('\\\n', ' ').split('\n').filter((line) => /apt-get install/.test(line)).join(' ');
    for (const pkg of ['postgresql-client', 'chromium', 'iproute2', 'procps']) expect(installs).toMatch(new RegExp(`\\s${pkg}(\\s|$)`));
    expect(runtime).toMatch(/TWISTERLAB_BROWSER_EXECUTABLE=\/usr\/bin\/chromium/);
  });

  // npm ci's postinstall compiles native/spawn-helper.c into dist/native/: the source must be there first, and an
  // image without the helper would start every local command the slow way, so a failed build fails the image.
  it('builds the native spawn helper during npm ci, and a failed build fails the image', () => {
    const build = stages[0]!;
    expect(build.indexOf('COPY native ./native')).toBeGreaterThan(-1);
    expect(build.indexOf('COPY native ./native')).toBeLessThan(build.search(/^RUN .*npm ci /m));
    expect(build).toMatch(/^RUN TWISTERLAB_NATIVE_REQUIRED=1 npm ci /m);
    expect(build).toMatch(/apt-get install[^\n]* g\+\+/);
  });

  // The memory figures in the README are measured with these; an image or `npm start` without them is ~30 MiB bigger.
  it('runs with the heap flags and the allocator settings, as npm start does', () => {
    const runtime = stages.at(-1)!;
    const malloc = ['MALLOC_ARENA_MAX=2', 'MALLOC_TRIM_THRESHOLD_=131072', 'MALLOC_MMAP_THRESHOLD_=131072'];
    expect(runtime).toMatch(/^ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=160"$/m);
    expect(runtime).toMatch(new RegExp(`^ENV ${malloc.join(' ')}$`, 'm'));
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    expect(start).toContain(`${malloc.join(' ')} node --max-semi-space-size=2 --max-old-space-size=160 `);
  });

  it('copies only paths that exist in the build context', () => {
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of match[1]!.split(/\s+/)) expect(existsSync(path.join(ROOT, source)), `${source} is missing`).toBe(true);
    }
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    for (const folder of build.include) expect(dockerfile).toMatch(new RegExp(`^COPY ${folder} `, 'm'));
  });
});
