// The commander, monitoring and the devices API on a real sshd, through a whole runtime: what the server
// actually ran is read from its command log, what TwisterLab recorded from the audit trail.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../helpers/sshd.ts';
import { startTestRuntime, type TestRuntime } from '../helpers/test-runtime.ts';

let sshd: TestSshd;
let rt: TestRuntime;
/** The same devices with a 1 s command timeout, for the test of that timeout alone. */
let hurried: TestRuntime;
let web: Server;
let sandbox: string;

const call = (capability: string, body: unknown) =>
  rt.app.inject({ method: 'POST', url: `/api/v1/mcp/${capability}`, payload: body as object });
const run = (command: string) => call('commander.execute_command', { device_id: 'edge', command });

beforeAll(async () => {
  sshd = await startTestSshd();
  sandbox = path.join(sshd.dir, 'sandbox');
  web = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  const webPort = (web.address() as { port: number }).port;
  const inventory = path.join(sshd.dir, 'devices.yaml');
  writeFileSync(
    inventory,
    [
      'devices:',
      '  - id: edge',
      '    host: 127.0.0.1',
      `    port: ${sshd.port}`,
      `    user: ${sshd.user}`,
      '    auth: { method: key, keyFile: client_key, passphrase: "never-shown-passphrase" }',
      `    hostKey: "${sshd.hostPublicKey}"`,
      '    tags: [role:edge]',
      '    allow:',
      `      - "mkdir ${sandbox}"`,
      `      - "touch /^${sandbox.replace(/\//g, '\\/')}\\/ok-[a-z]+$/"`,
      '      - { rule: "echo /^[a-z0-9]+$/", risk: read }',
      '      - "systemctl restart nginx"',
      '      - "sleep 30"',
      '    services:',
      `      edge-web: http://127.0.0.1:${webPort}/`,
    ].join('\n'),
  );
  // The tests of what runs wait as long as a loaded machine needs (a 3 s timeout once failed a metrics read in CI);
  // only the timeout's own test has a short one, and `sleep 30` outlasts it however slow the login is.
  [rt, hurried] = await Promise.all([
    startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_COMMAND_TIMEOUT_MS: '120000' }),
    startTestRuntime('pglite', { TWISTERLAB_DEVICES_FILE: inventory, TWISTERLAB_COMMAND_TIMEOUT_MS: '1000' }),
  ]);
});

afterAll(async () => {
  await rt?.close();
  await hurried?.close();
  web?.close();
  await sshd?.stop();
});

describe('commander.execute_command on an SSH device', () => {
  it('runs an allowed command and reports its output and exit code', async () => {
    const response = await run('echo hello');
    expect(response.json()).toMatchObject({
      ok: true,
      output: { device_id: 'edge', argv: ['echo', 'hello'], stdout: 'hello\n', exit_code: 0 },
    });
  });

  it('kills the remote command at the command timeout and says so', async () => {
    const response = await hurried.app.inject({
      method: 'POST',
      url: '/api/v1/mcp/commander.execute_command',
      payload: { device_id: 'edge', command: 'sleep 30' },
    });
    expect(response.statusCode).toBe(504);
    // A 5xx shows its code and a request id; the kill signal and the argv are in the log under that id.
    expect(response.json()).toMatchObject({
      ok: false,
      error: { code: 'COMMAND_TIMEOUT', requestId: expect.any(String) },
    });
    expect(response.json().error.details).toBeUndefined();
  });

  it('runs nothing on the server for any of 60 injection attempts, and audits each refusal', async () => {
    const before = sshd.commands().length;
    const s = sandbox;
    const corpus = [
      // shell metacharacters and command chaining
      `touch ${s}/ok-a; id`,
      `touch ${s}/ok-a && id`,
      `touch ${s}/ok-a || id`,
      `touch ${s}/ok-a | sh`,
      `touch ${s}/ok-a & id`,
      `touch ${s}/ok-a > /etc/passwd`,
      `touch ${s}/ok-a < /etc/shadow`,
      `touch $(echo ${s}/pwned)`,
      `touch \`id\``,
      `touch ${s}/ok-$USER`,
      `touch ${s}/ok-{a,b}`,
      `touch ${s}/ok-*`,
      `touch ${s}/ok-?`,
      `touch ${s}/ok-[ab]`,
      `touch ~/pwned`,
      `echo hi # comment`,
      `echo hi\\; id`,
      `echo !!`,
      `echo ${'$'}{IFS}id`,
      `echo (id)`,
      // newlines, NUL and other control or invisible characters
      `echo hi\nid`,
      `echo hi\rid`,
      `echo hi\u0000id`,
      `echo hi\u000bid`,
      `echo hi\u001bid`,
      `echo hi\u2028id`,
      `echo hi\u202eid`,
      `echo hi\u200bid`,
      `echo hi\u00a0id`,
      `echo hi\u0085id`,
      // option injection
      `touch -r /etc/shadow ${s}/ok-a`,
      `touch --reference=/etc/shadow ${s}/ok-a`,
      `touch ${s}/ok-a --no-create`,
      'echo -e x',
      'systemctl restart nginx --now',
      'systemctl restart -H evil nginx',
      'systemctl restart *',
      'systemctl restart sshd',
      'systemctl restart nginx sshd',
      'systemctl --host=evil restart nginx',
      'echo -oProxyCommand=id',
      `touch --output=/etc/x`,
      // paths, programs and quoting tricks
      `touch ${s}/../pwned`,
      `touch ${s}/ok-a/../../pwned`,
      `touch /etc/cron.d/ok-a`,
      `/usr/bin/touch ${s}/ok-a`,
      `./touch ${s}/ok-a`,
      `sh -c "touch ${s}/pwned"`,
      `env touch ${s}/ok-a`,
      `"touch ${s}/ok-a;id"`,
      `'echo' 'a b'`,
      `touch "${s}/ok-a" "${s}/ok-b"`,
      `echo "unbalanced`,
      'rm -rf /',
      'bash -i',
      'python3 -c 1',
      'echo',
      // encodings
      'echo %3Bid',
      'echo \\x3bid',
      'echo \\u003bid',
      'echo hi\uff1bid',
      `echo ${'x'.repeat(5000)}`,
    ];
    expect(corpus.length).toBeGreaterThanOrEqual(50);
    // Control characters do not even reach the commander: the edge refuses them (400 naming the field), unaudited like any bad request.
    const atTheEdge = (command: string) => /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/.test(command);
    for (const command of corpus) {
      const body = (await run(command)).json();
      const refusal = atTheEdge(command)
        ? { error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('command: contains a') } }
        : { ok: false, error: { code: 'COMMAND_NOT_ALLOWED' } };
      expect(body, JSON.stringify(command)).toMatchObject(refusal);
    }
    // The server's own log: not one of them reached it.
    expect(sshd.commands().slice(before)).toEqual([]);
    expect(existsSync(sandbox)).toBe(false);
    const audit = await rt.runtime.opened.store.listAudit({ action: 'command.refused', limit: 500 });
    expect(audit.filter((a) => a.details.device === 'edge')).toHaveLength(corpus.filter((c) => !atTheEdge(c)).length);
    // The sentinels work: the allowed forms do run, and leave exactly what they should.
    expect((await run(`mkdir ${s}`)).json()).toMatchObject({ ok: true, output: { exit_code: 0 } });
    expect((await run(`touch ${s}/ok-a`)).json()).toMatchObject({ ok: true, output: { exit_code: 0 } });
    expect(readdirSync(sandbox)).toEqual(['ok-a']);
    expect(sshd.commands().slice(before)).toHaveLength(2);
  });

  it('writes a command.executed audit row with device, argv, exit code and duration', async () => {
    await run('echo audited');
    const [row] = await rt.runtime.opened.store.listAudit({ action: 'command.executed', limit: 1 });
    expect(row).toMatchObject({
      actor: 'local',
      details: { device: 'edge', argv: ['echo', 'audited'], exitCode: 0, timedOut: false },
    });
    expect(row!.details.durationMs).toEqual(expect.any(Number));
  });
});

describe('monitoring on an SSH device', () => {
  it('reads cpu, memory, disk and load from /proc and df over SSH, through the guard', async () => {
    const response = await call('monitoring.get_system_metrics', { device_id: 'edge' });
    const body = response.json();
    expect(body).toMatchObject({
      ok: true,
      output: { cpu: { cores: expect.any(Number) }, memory: { total_bytes: expect.any(Number) } },
    });
    expect(body.output.disk.length).toBeGreaterThan(0);
    expect(body.output.load.one).toBeGreaterThanOrEqual(0);
    expect(sshd.commands().some((c) => c.includes("'cat' '/proc/meminfo'"))).toBe(true);
  });

  it('checks a service that lives on the device through the device', async () => {
    const response = await call('monitoring.check_service_health', { service_name: 'edge-web' });
    expect(response.json()).toMatchObject({
      ok: true,
      output: { service_name: 'edge-web', device_id: 'edge', healthy: true, detail: 'HTTP 200 (through edge)' },
    });
  });
});

describe('the devices API', () => {
  it('lists local and file devices and never shows a secret', async () => {
    const response = await rt.app.inject({ method: 'GET', url: '/api/v1/devices' });
    expect(response.json().items.map((d: { id: string; source: string }) => `${d.id}:${d.source}`)).toEqual([
      'local:builtin',
      'edge:file',
    ]);
    expect(response.body).not.toContain('never-shown-passphrase');
  });

  it('registers a device, refuses to run on it until its host key is trusted, then trusts only the right fingerprint', async () => {
    const device = {
      id: 'edge-api',
      host: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      auth: { method: 'key', keyFile: sshd.clientKeyFile },
      allow: ['echo /^[a-z]+$/'],
    };
    expect((await rt.app.inject({ method: 'POST', url: '/api/v1/devices', payload: device })).statusCode).toBe(201);
    const refused = await call('commander.execute_command', { device_id: 'edge-api', command: 'echo hi' });
    expect(refused.json()).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
    const scan = await rt.app.inject({ method: 'GET', url: '/api/v1/devices/edge-api/host-key' });
    expect(scan.json()).toMatchObject({ fingerprint: sshd.hostFingerprint });
    const wrong = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/devices/edge-api/trust',
      payload: { fingerprint: `SHA256:${'A'.repeat(43)}` },
    });
    expect(wrong.json()).toMatchObject({ error: { code: 'HOST_KEY_MISMATCH' } });
    const trusted = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/devices/edge-api/trust',
      payload: { fingerprint: sshd.hostFingerprint },
    });
    expect(trusted.json()).toMatchObject({ source: 'api', definition: { hostKey: sshd.hostPublicKey } });
    expect(
      (await call('commander.execute_command', { device_id: 'edge-api', command: 'echo hi' })).json(),
    ).toMatchObject({ ok: true, output: { stdout: 'hi\n' } });
  });

  it('refuses inline secrets, changes to file devices and duplicate ids, with clear errors', async () => {
    const base = {
      id: 'x1',
      host: '127.0.0.1',
      user: 'ops',
      allowPassword: true,
      auth: { method: 'password', password: 'pw-in-body' },
    };
    const secret = await rt.app.inject({ method: 'POST', url: '/api/v1/devices', payload: base });
    expect(secret.statusCode).toBe(400);
    expect(secret.json().error.message).toMatch(/secrets are not stored through the API/);
    expect(secret.body).not.toContain('pw-in-body');
    expect((await rt.app.inject({ method: 'DELETE', url: '/api/v1/devices/edge' })).json()).toMatchObject({
      error: { code: 'DEVICE_READ_ONLY' },
    });
    const duplicate = await rt.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      payload: { ...base, id: 'edge', auth: { method: 'agent', socket: '/tmp/agent' } },
    });
    expect(duplicate.json()).toMatchObject({ error: { code: 'DEVICE_EXISTS' } });
  });
});
