// A corpus of secret forms (provider tokens, private keys, connection strings, labelled values in seven
// languages) with fake values made from a seeded generator, so no token-shaped literal sits in the repository,
// and a corpus of ordinary ticket texts that talk about passwords and tokens without holding one.

export interface SecretForm {
  name: string;
  /** The text as a requester would paste it. */
  text: string;
  /** What must never come back out. */
  secret: string;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;

/** mulberry32: the same corpus on every run. */
function generator(seed: number): (alphabet: string, length: number) => string {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (alphabet, length) => Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

function pem(kind: string, body: string, end = true): string {
  const lines = body.match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN ${kind}-----\n${lines}${end ? `\n-----END ${kind}-----` : ''}`;
}

function tokenForms(r: ReturnType<typeof generator>): SecretForm[] {
  const t = (name: string, secret: string, text = `the failing call used ${secret} this morning`): SecretForm => ({
    name,
    secret,
    text,
  });
  const jwt = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${r(DIGITS, 8)}","name":"ops"}`)}.${r(URLSAFE, 43)}`;
  const awsSecret = r(B64, 40);
  const slackHook = `https://hooks.slack.com/services/T${r(UPPER + DIGITS, 8)}/B${r(UPPER + DIGITS, 10)}/${r(ALNUM, 24)}`;
  return [
    t('aws access key id', `AKIA${r(UPPER + DIGITS, 16)}`),
    t('aws temporary key id', `ASIA${r(UPPER + DIGITS, 16)}`),
    { name: 'aws secret in ini', secret: awsSecret, text: `[default]\naws_secret_access_key = ${awsSecret}` },
    t('github classic pat', `ghp_${r(ALNUM, 36)}`),
    t('github oauth token', `gho_${r(ALNUM, 36)}`),
    t('github app server token', `ghs_${r(ALNUM, 36)}`),
    t('github user-to-server token', `ghu_${r(ALNUM, 36)}`),
    t('github refresh token', `ghr_${r(ALNUM, 76)}`),
    t('github fine-grained pat', `github_pat_${r(ALNUM, 22)}_${r(ALNUM, 59)}`),
    t('gitlab pat', `glpat-${r(URLSAFE, 20)}`),
    t('gitlab deploy token', `gldt-${r(URLSAFE, 20)}`),
    t('gitlab runner token', `glrt-${r(URLSAFE, 20)}`),
    t('gitlab runner registration token', `GR1348941${r(URLSAFE, 20)}`),
    t('npm token', `npm_${r(ALNUM, 36)}`),
    t('slack bot token', `xoxb-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(ALNUM, 24)}`),
    t('slack user token', `xoxp-${r(DIGITS, 12)}-${r(DIGITS, 12)}-${r(DIGITS, 13)}-${r(HEX, 32)}`),
    t('slack app token', `xapp-1-A${r(UPPER + DIGITS, 10)}-${r(DIGITS, 13)}-${r(HEX, 64)}`),
    t('slack webhook', slackHook, `alerts go to ${slackHook} and stopped`),
    t('stripe live secret key', `sk_live_${r(ALNUM, 24)}`),
    t('stripe restricted key', `rk_live_${r(ALNUM, 24)}`),
    t('stripe test key', `sk_test_${r(ALNUM, 24)}`),
    t('stripe webhook secret', `whsec_${r(ALNUM, 32)}`),
    t('google api key', `AIza${r(URLSAFE, 35)}`),
    t('google oauth client secret', `GOCSPX-${r(URLSAFE, 28)}`),
    t('google oauth access token', `ya29.${r(URLSAFE, 120)}`),
    t('google oauth refresh token', `1//0${r(URLSAFE, 60)}`),
    t('jwt', jwt),
    t('openai project key', `sk-proj-${r(URLSAFE, 48)}`),
    t('anthropic key', `sk-ant-api03-${r(URLSAFE, 93)}AA`),
    t('hugging face token', `hf_${r(UPPER + LOWER, 34)}`),
    t('digitalocean pat', `dop_v1_${r(HEX, 64)}`),
    t('heroku key', `HRKU-${r(URLSAFE, 60)}`),
    t('sendgrid key', `SG.${r(URLSAFE, 22)}.${r(URLSAFE, 43)}`),
    t('mailgun key', `key-${r(HEX, 32)}`),
    t('mailchimp key', `${r(HEX, 32)}-us12`),
    t('twilio api key', `SK${r(HEX, 32)}`),
    t('shopify token', `shpat_${r(HEX, 32)}`),
    t('pypi token', `pypi-AgEIcHlwaS5vcmc${r(URLSAFE, 70)}`),
    t('rubygems token', `rubygems_${r(HEX, 48)}`),
    t('vault token', `hvs.${r(URLSAFE, 90)}`),
    t('terraform cloud token', `${r(ALNUM, 14)}.atlasv1.${r(URLSAFE, 67)}`),
    t('grafana cloud token', `glc_${r(ALNUM, 64)}`),
    t('grafana service account token', `glsa_${r(ALNUM, 32)}_${r(HEX, 8)}`),
    t('new relic user key', `NRAK-${r(UPPER + DIGITS, 27)}`),
    t('databricks token', `dapi${r(HEX, 32)}`),
    t('doppler token', `dp.pt.${r(ALNUM, 43)}`),
    t('dynatrace token', `dt0c01.${r(UPPER + DIGITS, 24)}.${r(UPPER + DIGITS, 64)}`),
    t('linear key', `lin_api_${r(ALNUM, 40)}`),
    t('postman key', `PMAK-${r(HEX, 24)}-${r(HEX, 34)}`),
    t('pulumi token', `pul-${r(HEX, 40)}`),
    t('planetscale password', `pscale_pw_${r(URLSAFE, 43)}`),
    t('sentry user token', `sntryu_${r(HEX, 64)}`),
    t('telegram bot token', `${r(DIGITS, 10)}:AA${r(URLSAFE, 33)}`),
    t('discord bot token', `M${r(ALNUM, 23)}.${r(URLSAFE, 6)}.${r(URLSAFE, 27)}`),
    t('age secret key', `AGE-SECRET-KEY-1${r('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`),
    t('alibaba key id', `LTAI${r(ALNUM, 20)}`),
    t('atlassian token', `ATATT3${r(URLSAFE, 180)}`),
    t('docker hub pat', `dckr_pat_${r(URLSAFE, 27)}`),
    t('fly.io token', `fo1_${r(URLSAFE, 43)}`),
    t('square oauth secret', `sq0csp-${r(URLSAFE, 43)}`),
    t('meta access token', `EAAB${r(ALNUM, 120)}`),
    t('shippo token', `shippo_live_${r(HEX, 40)}`),
    t('cloudflare origin ca key', `v1.0-${r(HEX, 24)}-${r(HEX, 146)}`),
    t('1password service account token', `ops_eyJ${r(ALNUM, 250)}`),
    t(
      '1password secret key',
      `A3-${r(UPPER + DIGITS, 6)}-${r(UPPER + DIGITS, 11)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}-${r(UPPER + DIGITS, 5)}`,
    ),
    t('azure ad client secret', `${r(ALNUM, 3)}8Q~${r(ALNUM, 34)}`),
    t('kubeadm bootstrap token', `${r(LOWER + DIGITS, 6)}.${r(LOWER + DIGITS, 16)}`, ''),
  ].map((form) =>
    form.text === ''
      ? {
          ...form,
          text: `kubeadm join 10.0.0.1:6443 --token ${form.secret} --discovery-token-ca-cert-hash sha256:${'ab'.repeat(32)}`,
        }
      : form,
  );
}

function structuredForms(r: ReturnType<typeof generator>): SecretForm[] {
  const pw = () => `${r(UPPER, 1)}${r(LOWER, 5)}${r(DIGITS, 3)}!${r(ALNUM, 4)}`;
  const words = () => `${r(LOWER, 7)}${r(LOWER, 6)}${r(LOWER, 8)}`;
  const s = (name: string, secret: string, text: string): SecretForm => ({ name, secret, text });
  const basic = Buffer.from(`admin:${pw()}`).toString('base64');
  const azureKey = `${r(B64, 86)}==`;
  const rsa = r(B64, 900);
  const forms: Array<[string, (v: string) => string, string?]> = [
    ['env DB_PASSWORD', (v) => `the app has DB_PASSWORD=${v} in its .env`],
    ['password=', (v) => `I tried password=${v} and it still fails`],
    ['json password', (v) => `config: {"user": "svc", "password": "${v}"}`],
    ['json api_key', (v) => `{"api_key":"${v}","region":"eu"}`],
    ['json client_secret', (v) => `{ "client_id": "orders", "client_secret": "${v}" }`],
    ['yaml password', (v) => `database:\n  user: orders\n  password: ${v}\n  host: db`],
    ['my password is', (v) => `my password is ${v} but the login page rejects it`],
    ['the secret is', () => '', words()],
    ['passphrase', (v) => `the key asks for its passphrase ${v} every time`],
    ['mot de passe', (v) => `Bonjour, mon mot de passe : ${v} ne fonctionne plus`],
    ['le mot de passe est', (v) => `le mot de passe est ${v} depuis lundi`],
    ['Passwort', (v) => `Passwort: ${v} funktioniert nicht`],
    ['Kennwort ist', (v) => `mein Kennwort ist ${v} seit gestern`],
    ['contraseña es', (v) => `la contraseña es ${v} y no entra`],
    ['clave', (v) => `clave: ${v}`],
    ["parola d'ordine", (v) => `parola d'ordine: ${v}`],
    ['password è', (v) => `la mia password è ${v} ma non funziona`],
    ['senha é', (v) => `a minha senha é ${v} e não entra`],
    ['wachtwoord', (v) => `wachtwoord: ${v}`],
    ['wachtwoord is', (v) => `mijn wachtwoord is ${v} maar het werkt niet`],
    ['clé API', (v) => `la clé API : ${v}`],
    ['jeton', (v) => `le jeton est ${v}`],
    ['api key label', (v) => `API key: ${v}`],
    ['secret key label', (v) => `secret key = ${v}`],
    ['bare token', (v) => `token ${v} gets a 401`],
    ['authorization bearer opaque', (v) => `curl -H "Authorization: Bearer ${v}" https://api.internal/v1`],
    ['authorization token', (v) => `Authorization: token ${v}`],
    ['x-api-key header', (v) => `x-api-key: ${v}`],
    ['cookie header', (v) => `Cookie: sessionid=${v}; theme=dark`],
    ['query access_token', (v) => `GET https://api.internal/v1/items?access_token=${v}&page=2 returns 500`],
    ['query client_secret', (v) => `https://login.internal/oauth?client_id=web&client_secret=${v}`],
    ['xml password', (v) => `<connection><password>${v}</password></connection>`],
    ['powershell env', (v) => `$env:API_TOKEN = "${v}"`],
    ['export token', (v) => `export SLACK_BOT_TOKEN=${v}`],
    ['connection string Password', (v) => `Server=sql01;Database=orders;User Id=sa;Password=${v};`],
    ['connection string Pwd', (v) => `Driver={ODBC};Server=sql01;Uid=app;Pwd=${v};`],
    ['--password value', (v) => `I ran: pg_dump --password ${v} orders`],
    ['--password=', (v) => `mytool --password=${v} --verbose`],
    ['mysql -p', (v) => `mysql -u root -p${v} orders`],
    ['sshpass -p', (v) => `sshpass -p ${v} ssh deploy@web01`],
    ['curl -u', (v) => `curl -u admin:${v} https://jenkins.internal/api`],
    ['postgres url', (v) => `DATABASE_URL=postgres://orders:${v}@db.internal:5432/orders`],
    ['mysql url', (v) => `mysql://app:${v}@mysql01:3306/shop`],
    ['redis url', (v) => `redis://:${v}@cache01:6379/0`],
    ['mongodb url', (v) => `mongodb+srv://svc:${v}@cluster0.example.net/db`],
    ['amqp url', (v) => `amqp://guest:${v}@rabbit:5672/`],
    ['https url user-info', (v) => `open https://ops:${v}@intranet.example.org/status`],
    ['webhook secret env', (v) => `WEBHOOK_SECRET=${v}`],
    ['presigned signature', (v) => `https://bucket.s3.amazonaws.com/x?X-Amz-Signature=${v}`, r(HEX, 64)],
    ['digest auth', (v) => `Authorization: Digest username="bob", realm="x", response="${v}"`, r(HEX, 32)],
  ];
  return [
    ...forms.map(([name, make, fixed]) => {
      const value = fixed ?? pw();
      return s(name, value, name === 'the secret is' ? `the secret is ${value}` : make(value));
    }),
    s('basic auth header', basic, `Authorization: Basic ${basic}`),
    s('proxy basic auth', basic, `Proxy-Authorization: Basic ${basic}`),
    s(
      'azure storage connection string',
      azureKey,
      `DefaultEndpointsProtocol=https;AccountName=orders;AccountKey=${azureKey};EndpointSuffix=core.windows.net`,
    ),
    s(
      'azure service bus',
      azureKey.slice(0, 44),
      `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=${azureKey.slice(0, 44)}`,
    ),
    s('azure sas', `${r(ALNUM, 43)}%3D`, ''),
    s('rsa private key', rsa.slice(0, 64), pem('RSA PRIVATE KEY', rsa)),
    s('openssh private key', rsa.slice(64, 128), pem('OPENSSH PRIVATE KEY', rsa.slice(64))),
    s('ec private key', rsa.slice(200, 264), pem('EC PRIVATE KEY', rsa.slice(200, 500))),
    s('pgp private key block', rsa.slice(300, 364), pem('PGP PRIVATE KEY BLOCK', rsa.slice(300))),
    s(
      'pkcs8 key in json',
      rsa.slice(400, 464),
      `{"type": "service_account", "private_key": "${pem('PRIVATE KEY', rsa.slice(400)).replace(/\n/g, '\\n')}"}`,
    ),
    s(
      'private key pasted without its end',
      rsa.slice(500, 564),
      `here is the key:\n${pem('RSA PRIVATE KEY', rsa.slice(500), false)}`,
    ),
  ].map((form) =>
    form.name === 'azure sas'
      ? { ...form, text: `https://orders.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=${form.secret}` }
      : form,
  );
}

export function secretForms(seed = 20261205): SecretForm[] {
  const r = generator(seed);
  return [...tokenForms(r), ...structuredForms(r)];
}

/** Ordinary tickets that name passwords, tokens, keys and secrets without holding any: they must stay as written. */
export const BENIGN_TEXTS: readonly string[] = [
  'The password reset page is slow since this morning.',
  'My token expired and the portal logs me out every ten minutes.',
  'Users cannot change their password: the form says the password is too short.',
  'The API key is invalid since Monday for the billing service.',
  'Our password policy requires 12 characters but the form accepts 8.',
  'The secret rotation job failed last night on the vault server.',
  'Token: expired',
  'Password: reset link in the email does not work',
  'The SSH key for web01 was rotated and now the deploy fails.',
  'max_tokens=4096 is too low for the summariser, please raise it.',
  'password_reset_url=https://portal.example.org/reset points to the old host',
  'Basic authentication fails on the intranet proxy since the upgrade.',
  'The bearer token is missing from the request headers.',
  'Mot de passe oublié : le lien de réinitialisation ne marche pas.',
  'Das Passwort ist abgelaufen und die Anmeldung schlägt fehl.',
  'La contraseña es incorrecta según el portal, pero la escribo bien.',
  'La mia password è scaduta e non riesco ad accedere.',
  'A minha senha expirou e não consigo entrar no sistema.',
  'Mijn wachtwoord is verlopen en ik kan niet inloggen.',
  'The primary_key=id column is missing an index on the orders table.',
  'Set the sort_key to created_at in the report configuration.',
  'Error: token_type=bearer is not supported by the legacy gateway.',
  'The CSRF check fails because the session cookie is not sent.',
  'Postgres on db01 is slow: queries on the orders table take 30 seconds.',
  'The disk on backup02 is 95% full; the nightly backup failed.',
  'web01 returns HTTP 502 for https://shop.example.org/checkout since 10:00.',
  'Ping to 10.0.4.17 times out from the office network.',
  'Outlook keeps asking for my password after the update.',
  'The secret santa app is down, please help before Friday!',
  'Please reset my password, I am locked out of my account.',
  'The token endpoint https://login.example.org/oauth/token answers 503.',
  'The key vault name is kv-prod-01 and its access policy denies the app.',
  'Redis on cache01 refuses writes: OOM command not allowed.',
  'The passphrase prompt appears twice when I push to the repository.',
  'Our auth service is down and nobody can log in to the dashboard.',
  'The author field of the wiki page shows the wrong name.',
  'My api key has been revoked, how do I get a new one?',
  'The printer on floor 3 is out of toner and jams every page.',
  'Query: select * from users where password_hash is null returns 3 rows',
  'Connection to postgres://db.internal:5432/orders refused since the restart.',
];
