// bench/redaction: how long redactSecrets takes on a 10 kB ticket (ordinary prose, and prose with secrets in
// it), and on 100 kB of hostile text built from every rule's keywords, to show that no pattern goes quadratic.
//   node --import tsx bench/redaction/run.ts [--runs 200]
import { redactSecrets } from '../../src/core/redaction.ts';
import { TOKEN_RULES } from '../../src/core/secrets/token-rules.ts';
import { benchArgs } from '../lib/args.ts';

const { values } = benchArgs({ options: { runs: { type: 'string', default: '200' } } });
const runs = Number(values.runs);

const prose = [
  'Since the upgrade this morning the orders application cannot reach its database and users see error 502.',
  'The password reset page is slow and my token expired twice; the API key is invalid according to the portal.',
  'Le mot de passe oublié ne marche pas, das Passwort ist abgelaufen, la contraseña es incorrecta.',
  'df -h shows /var at 97% on db01; postgres logs say could not extend file, and replication lags behind.',
].join(' ');
const fill = (text: string, size: number) => text.repeat(Math.ceil(size / text.length)).slice(0, size);
const withSecrets = (size: number) => {
  const secrets = [
    'password=Hunter2-Sup3r',
    `token ghp_${'a1B2'.repeat(9)}`,
    'postgres://orders:pgPa55@db:5432/orders',
    '{"api_key": "k3y-V4lue-9"}',
    'mon mot de passe est Soleil2024',
    `AKIA${'ABCD2345'.repeat(2)}`,
  ].join(' ');
  return fill(`${prose} ${secrets} `, size);
};

function measure(label: string, text: string, count: number): number {
  redactSecrets(text);
  const started = performance.now();
  for (let i = 0; i < count; i += 1) redactSecrets(text);
  const perCall = (performance.now() - started) / count;
  console.log(
    `${label.padEnd(44)} ${(text.length / 1024).toFixed(0).padStart(4)} kB  ${perCall.toFixed(3).padStart(9)} ms/call`,
  );
  return perCall;
}

console.log(`redactSecrets, ${TOKEN_RULES.length} token rules, mean of ${runs} calls`);
measure('10 kB ordinary ticket', fill(`${prose} `, 10_240), runs);
measure('10 kB ticket with secrets', withSecrets(10_240), runs);

// Hostile: each rule's keywords (and the labels) repeated with the characters its pattern accepts, no match.
const HOSTILE_SIZE = 100_000;
const hostile: Array<[string, string]> = [
  ['one long word', 'a'.repeat(HOSTILE_SIZE)],
  ['scheme-like word', `${'a'.repeat(HOSTILE_SIZE - 3)}://`],
  ['repeated key=', 'password='.repeat(HOSTILE_SIZE / 9)],
  ['repeated label and verb', 'my password is '.repeat(HOSTILE_SIZE / 15)],
  ['repeated mot de passe', 'mot de passe '.repeat(HOSTILE_SIZE / 13)],
  ['private key headers without end', '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(HOSTILE_SIZE / 32)],
  ['mysql -p lines', 'mysql -u x -p'.repeat(HOSTILE_SIZE / 13)],
  ['cookie headers', 'cookie:set-'.repeat(HOSTILE_SIZE / 11)],
  ['authorization: bearer', 'authorization: bearer '.repeat(HOSTILE_SIZE / 22)],
  ['json keys', '{"token": "'.repeat(HOSTILE_SIZE / 11)],
  ...TOKEN_RULES.flatMap((rule) =>
    rule.keywords.map(
      (k) => [`rule ${rule.id} (${k})`, fill(`${k}${'Ab1-'.repeat(3)}`, HOSTILE_SIZE)] as [string, string],
    ),
  ),
];
const timed = hostile.map(([label, text]) => [label, measure(`hostile: ${label}`.slice(0, 44), text, 3)] as const);
const worst = [...timed].sort((a, b) => b[1] - a[1]).slice(0, 5);
console.log('\nslowest hostile inputs (100 kB):');
for (const [label, ms] of worst) console.log(`  ${ms.toFixed(2).padStart(8)} ms  ${label}`);
